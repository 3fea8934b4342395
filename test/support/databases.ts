import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';

export type Engine = 'mariadb' | 'sqlite';

/** Every e2e suite runs on both engines. */
export const ENGINES: Engine[] = ['mariadb', 'sqlite'];

/** The MariaDB/MySQL server the tests use; a database of its own is created per suite. */
export const MYSQL_SERVER = {
  host: process.env.TEST_MYSQL_HOST ?? '127.0.0.1',
  port: Number(process.env.TEST_MYSQL_PORT ?? 3306),
  user: process.env.TEST_MYSQL_USER ?? 'root',
  password: process.env.TEST_MYSQL_PASSWORD ?? '',
};

export interface TestDatabase {
  engine: Engine;
  /** DATABASE_URL for the app. */
  url: string;
  drop(): Promise<void>;
}

export function mysqlUrl(database: string, host = MYSQL_SERVER.host, port = MYSQL_SERVER.port) {
  const auth = MYSQL_SERVER.password
    ? `${encodeURIComponent(MYSQL_SERVER.user)}:${encodeURIComponent(MYSQL_SERVER.password)}`
    : encodeURIComponent(MYSQL_SERVER.user);
  return `mysql://${auth}@${host}:${port}/${database}`;
}

/** A fresh, empty database, dropped by `drop()`. */
export async function createTestDatabase(engine: Engine): Promise<TestDatabase> {
  const name = `uo_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  if (engine === 'sqlite') {
    const path = join(tmpdir(), `${name}.sqlite`);
    return {
      engine,
      url: `sqlite:${path}`,
      drop: () => {
        for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
        return Promise.resolve();
      },
    };
  }
  const admin = await createConnection(MYSQL_SERVER);
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await admin.end();
  return {
    engine,
    url: mysqlUrl(name),
    drop: async () => {
      const connection = await createConnection(MYSQL_SERVER);
      await connection.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await connection.end();
    },
  };
}
