import { spawn } from 'node:child_process';
import { createSecretKey, randomBytes } from 'node:crypto';
import { sign } from 'jsonwebtoken';
import { createConnection, Connection } from 'mysql2/promise';
import {
  ADMIN_EVERY,
  BENCH_CLIENT,
  Caller,
  Layout,
  groupIdOf,
  membersIn,
  organizationOf,
  memberIndexOf,
  subjectOf,
  userIdOf,
} from './layout';

/** The identity provider the bench's tokens claim: production requires an issuer and audience. */
export const BENCH_ISSUER = 'https://idp.bench.example';
export const BENCH_AUDIENCE = 'users-organizations';
export const BENCH_SERVICE_AUDIENCE = 'users-organizations-services';

export interface Secrets {
  bearer: string;
  session: string;
}

export function newSecrets(): Secrets {
  // 32 random bytes each, distinct: what NODE_ENV=production demands.
  return {
    bearer: randomBytes(32).toString('base64url'),
    session: randomBytes(32).toString('base64url'),
  };
}

export function databaseUrl(serverUrl: string, database: string): string {
  return `${serverUrl}/${database}`;
}

export async function withConnection<T>(url: string, work: (c: Connection) => Promise<T>) {
  const connection = await createConnection({ uri: url, timezone: 'Z', connectTimeout: 5000 });
  try {
    return await work(connection);
  } finally {
    await connection.end();
  }
}

export async function createDatabase(serverUrl: string, name: string): Promise<void> {
  await withConnection(serverUrl, (c) =>
    c.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`),
  );
}

export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  await withConnection(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS \`${name}\``));
}

/**
 * The app's own migrations, through the TypeORM CLI and the app's data source: the same ones
 * `npm run migration:run` applies, on checkouts older than its own command too.
 */
export async function runMigrations(root: string, env: NodeJS.ProcessEnv): Promise<void> {
  const cli = require.resolve('typeorm/cli.js', { paths: [root] });
  await new Promise<void>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [cli, 'migration:run', '-d', 'dist/database/cli-data-source.js'],
      { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`migrations failed (exit ${code}):\n${output.slice(-4000)}`));
    });
  });
}

const SEED_TIME = '2025-01-01 00:00:00.000';
const BATCH = 5000;

async function insertBatches(
  connection: Connection,
  head: string,
  count: number,
  row: (index: number) => string,
): Promise<void> {
  for (let start = 1; start <= count; start += BATCH) {
    const end = Math.min(count, start + BATCH - 1);
    const values: string[] = [];
    for (let i = start; i <= end; i++) values.push(row(i));
    await connection.query(`${head} VALUES ${values.join(',')}`);
  }
}

async function bulkConnection(url: string): Promise<Connection> {
  const connection = await createConnection({ uri: url, timezone: 'Z', connectTimeout: 5000 });
  // Checks the generated rows satisfy by construction; they would only slow the load down.
  await connection.query('SET SESSION foreign_key_checks = 0, unique_checks = 0');
  return connection;
}

/**
 * Fills an empty, migrated database with the layout: organizations, groups, professions, N users
 * and N memberships (multi-row INSERTs of 5,000 rows, users and memberships on two connections
 * at once), then sessions for `callersPerOrganization` administrators of each organization.
 */
export async function seed(
  url: string,
  layout: Layout,
  callersPerOrganization: number,
  secrets: Secrets,
): Promise<Caller[]> {
  const { organizations: O, groupsPerOrganization: G, professions: P, memberships: N } = layout;
  const [first, second] = await Promise.all([bulkConnection(url), bulkConnection(url)]);
  try {
    await insertBatches(
      first,
      'INSERT INTO `professions` (`id`, `label`, `createdAt`, `updatedAt`)',
      P,
      (i) => `(${i},'Profession ${i}','${SEED_TIME}','${SEED_TIME}')`,
    );
    await insertBatches(
      first,
      'INSERT INTO `organizations` (`id`, `name`, `createdAt`, `updatedAt`)',
      O,
      (i) => `(${i},'Organization ${i}','${SEED_TIME}','${SEED_TIME}')`,
    );
    await insertBatches(
      first,
      'INSERT INTO `organization_groups` (`id`, `organizationId`, `name`)',
      O * G,
      (i) => `(${i},${Math.floor((i - 1) / G) + 1},'Group ${i}')`,
    );
    await Promise.all([
      insertBatches(
        first,
        'INSERT INTO `users` (`id`, `issuer`, `subject`, `createdAt`, `updatedAt`)',
        N,
        (i) => `(${i},'${BENCH_ISSUER}','${subjectOf(i)}','${SEED_TIME}','${SEED_TIME}')`,
      ),
      insertBatches(
        second,
        'INSERT INTO `memberships` (`id`, `userId`, `organizationId`, `scope`, `firstName`, ' +
          '`lastName`, `professionId`, `permissionGroupId`, `readGroupIds`, `manageGroupIds`, ' +
          '`version`, `createdAt`, `updatedAt`)',
        N,
        (i) => {
          const organizationId = organizationOf(layout, i);
          const k = memberIndexOf(layout, i);
          const admin = k % ADMIN_EVERY === 0;
          const group = groupIdOf(layout, organizationId, k % G);
          const all = Array.from({ length: G }, (_, g) => groupIdOf(layout, organizationId, g));
          const read = admin ? all : [group];
          const manage = admin ? all : [];
          return (
            `(${i},${i},${organizationId},${admin ? 1 : 2},'First${i}','Last${i}',` +
            `${(i % P) + 1},${group},'${JSON.stringify(read)}','${JSON.stringify(manage)}',` +
            `1,'${SEED_TIME}','${SEED_TIME}')`
          );
        },
      ),
    ]);
    await first.query('ANALYZE TABLE `users`, `memberships`, `organization_groups`');
  } finally {
    await Promise.all([first.end(), second.end()]);
  }
  return openSessions(url, layout, callersPerOrganization, secrets);
}

/** Session rows inserted directly, tokens signed as the app signs them (HS256, own secrets). */
async function openSessions(
  url: string,
  layout: Layout,
  callersPerOrganization: number,
  secrets: Secrets,
): Promise<Caller[]> {
  const bearerKey = createSecretKey(Buffer.from(secrets.bearer, 'utf8'));
  const sessionKey = createSecretKey(Buffer.from(secrets.session, 'utf8'));
  const now = Math.floor(Date.now() / 1000);
  const exp = now + 2 * 86400;
  const expiresAt = new Date(exp * 1000).toISOString().replace('T', ' ').replace('Z', '');
  const createdAt = new Date(now * 1000).toISOString().replace('T', ' ').replace('Z', '');
  const callers: Caller[] = [];
  const rows: string[] = [];
  const serviceToken = sign(
    {
      sub: BENCH_CLIENT,
      client_id: BENCH_CLIENT,
      scope: 'authz:check',
      exp,
      iss: BENCH_ISSUER,
      aud: BENCH_SERVICE_AUDIENCE,
    },
    bearerKey,
    { algorithm: 'HS256' },
  );
  for (let organizationId = 1; organizationId <= layout.organizations; organizationId++) {
    const members = membersIn(layout, organizationId);
    for (let j = 0; j < callersPerOrganization && j * ADMIN_EVERY < members; j++) {
      const userId = userIdOf(layout, organizationId, j * ADMIN_EVERY);
      const sessionId = randomBytes(24).toString('base64url');
      rows.push(`('${sessionId}',${userId},${organizationId},'${createdAt}','${expiresAt}')`);
      callers.push({
        userId,
        organizationId,
        bearerToken: sign(
          { sub: subjectOf(userId), exp, iss: BENCH_ISSUER, aud: BENCH_AUDIENCE },
          bearerKey,
          { algorithm: 'HS256' },
        ),
        sessionToken: sign({ userId, sessionId, iat: now, exp }, sessionKey, {
          algorithm: 'HS256',
        }),
        serviceToken,
      });
    }
  }
  await withConnection(url, async (c) => {
    for (let start = 0; start < rows.length; start += BATCH) {
      await c.query(
        'INSERT INTO `sessions` (`id`, `userId`, `organizationId`, `createdAt`, `expiresAt`) ' +
          `VALUES ${rows.slice(start, start + BATCH).join(',')}`,
      );
    }
  });
  return callers;
}

/** Puts every member promoted by the scope scenario back to scope 2 (seeded administrators stay). */
export async function resetScopes(url: string, layout: Layout): Promise<void> {
  await withConnection(url, (c) =>
    c.query(
      'UPDATE `memberships` SET `scope` = 2 WHERE `scope` = 1 AND FLOOR((`id` - 1) / ?) MOD ? <> 0',
      [layout.organizations, ADMIN_EVERY],
    ),
  );
}
