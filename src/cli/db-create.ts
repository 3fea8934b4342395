import 'reflect-metadata';
import { createConnection, type RowDataPacket } from 'mysql2/promise';
import type { AppConfig } from '../config';
import { describeDatabase } from '../database';
import { runCommand } from './command';

const CHARSET = 'utf8mb4';
const COLLATION = 'utf8mb4_unicode_ci';

interface Schema extends RowDataPacket {
  charset: string;
  collation: string;
}

/**
 * `npm run db:create`: the MySQL database DATABASE_URL names, in utf8mb4, when it does not exist
 * yet; an existing one is left as it is. The migrations then create the tables (at start, or
 * with `npm run migration:run`).
 */
async function main(config: AppConfig): Promise<void> {
  const { database } = config;
  if (database.type !== 'mysql') {
    console.log(
      `Nothing to create: DATABASE_URL names ${describeDatabase(database)}, ` +
        'which the app creates when it starts.',
    );
    return;
  }
  const url = new URL(database.url);
  // The validated URL's path is the name, of letters, digits, _, $ and -: safe between backticks.
  const name = decodeURIComponent(url.pathname.slice(1));
  const where = `'${name}' at ${url.hostname}:${url.port || '3306'}`;
  // Connected to no database: this one may not exist yet.
  const connection = await createConnection({
    host: url.hostname,
    port: Number(url.port || 3306),
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    connectTimeout: 3000,
  });
  try {
    const [existing] = await connection.query<Schema[]>(
      'SELECT `DEFAULT_CHARACTER_SET_NAME` AS `charset`, `DEFAULT_COLLATION_NAME` AS `collation` ' +
        'FROM `information_schema`.`SCHEMATA` WHERE `SCHEMA_NAME` = ?',
      [name],
    );
    const create = `CREATE DATABASE IF NOT EXISTS \`${name}\` CHARACTER SET ${CHARSET} COLLATE ${COLLATION}`;
    if (existing.length > 0) {
      const { charset, collation } = existing[0];
      console.log(
        charset === CHARSET
          ? `The database ${where} already exists (${charset}, ${collation}): nothing was changed.`
          : `The database ${where} already exists in ${charset}, not ${CHARSET}: nothing was ` +
              `changed. Before any table exists, ALTER DATABASE \`${name}\` CHARACTER SET ` +
              `${CHARSET} COLLATE ${COLLATION} makes it right.`,
      );
      return;
    }
    try {
      await connection.query(create);
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'ER_DBACCESS_DENIED_ERROR') throw error;
      throw new Error(
        `Cannot create the database ${where}: user '${decodeURIComponent(url.username)}' may ` +
          `not. Have an administrator run: ${create}; and grant this user ALL on it.`,
      );
    }
    console.log(
      `Created the database ${where} (${CHARSET}, ${COLLATION}). ` +
        'Next: npm run seed:demo for the demo data, or npm start.',
    );
  } finally {
    await connection.end();
  }
}

runCommand(main);
