import { createPool, Pool } from 'mysql2/promise';

/** The baselines' mysql2 pool, configured as the app's data source configures its own. */
export function createBaselinePool(): Pool {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) throw new Error('DATABASE_URL is required');
  return createPool({
    uri: databaseUrl,
    connectionLimit: Number(process.env.DATABASE_POOL_SIZE ?? 10),
    charset: 'utf8mb4_unicode_ci',
    timezone: 'Z',
    supportBigNumbers: true,
    bigNumberStrings: false,
    dateStrings: false,
    connectTimeout: 5000,
  });
}
