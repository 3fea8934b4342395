import type { Pool, PoolConnection } from 'mysql2';
import type { MysqlDriver } from 'typeorm/driver/mysql/MysqlDriver';
import { DatabaseService, PREPARED_STATEMENTS_PER_CONNECTION } from '../src/database';
import { startTestApp, TestApp } from './support/test-app';
import { TEST_SQL } from './support/sql-catalogue';

/**
 * On MySQL/MariaDB a statement prepared once on a connection is executed by its id from then on,
 * without asking mysql2's statement cache again. That cache keeps PREPARED_STATEMENTS_PER_CONNECTION
 * statements and closes the least used on the server to make room: one closed that way must be
 * prepared again, never fail a request.
 */
describe('prepared statements on mariadb', () => {
  let t: TestApp;
  let database: DatabaseService;

  beforeAll(async () => {
    // One connection: every statement below goes to the same one.
    t = await startTestApp('mariadb', { env: { DATABASE_POOL_SIZE: '1' }, demo: false });
    database = t.app.get(DatabaseService);
  });
  afterAll(async () => {
    await t?.close();
  });

  const plus = async (sql: string, value: number) =>
    Number((await database.query<{ n: unknown }>(sql, [value]))[0].n);

  it('prepares a statement again after the driver closed it', async () => {
    const sql = `${TEST_SQL} SELECT ? + 1 AS \`n\``;
    expect(await plus(sql, 1)).toBe(2);
    const pool = (t.dataSource.driver as MysqlDriver).pool as Pool;
    const connection = await new Promise<PoolConnection>((resolve, reject) =>
      pool.getConnection((error, acquired) => (error ? reject(error) : resolve(acquired))),
    );
    connection.unprepare(sql);
    connection.release();
    expect(await plus(sql, 2)).toBe(3);
    expect(await plus(sql, 3)).toBe(4);
  });

  it('answers every statement when more are prepared than the driver keeps', async () => {
    const count = PREPARED_STATEMENTS_PER_CONNECTION + 44;
    const sql = (index: number) => `${TEST_SQL} SELECT ? + ${index} AS \`n\``;
    for (let round = 1; round <= 2; round++) {
      for (let index = 0; index < count; index++) {
        expect(await plus(sql(index), round)).toBe(index + round);
      }
    }
  });
});
