/**
 * Walks an organization of 10,000 members page by page through GET /users and checks that each
 * member comes back exactly once, and that no page is much slower than the first (keyset
 * pagination: the cost of a page must not grow with its position).
 *
 *   npm run bench:list -- [--memberships 10000] [--limit 100] [--walks 5]
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Layout } from './lib/layout';
import { freePort, killAll, startServer, stopProcess, waitReady } from './lib/processes';
import {
  BENCH_AUDIENCE,
  BENCH_ISSUER,
  createDatabase,
  databaseUrl,
  dropDatabase,
  newSecrets,
  runMigrations,
  seed,
} from './lib/seed';

const ROOT = join(__dirname, '..', '..');
const MYSQL_SERVER = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      memberships: { type: 'string', default: '10000' },
      limit: { type: 'string', default: '100' },
      walks: { type: 'string', default: '5' },
    },
  });
  const memberships = Number(values.memberships);
  const limit = Number(values.limit);
  const walks = Number(values.walks);
  const layout: Layout = {
    memberships,
    organizations: 1,
    groupsPerOrganization: 4,
    professions: 4,
  };
  const secrets = newSecrets();
  const name = `uo_bench_list_${randomBytes(4).toString('hex')}`;
  const url = databaseUrl(MYSQL_SERVER, name);
  const port = await freePort();
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    AUTH_JWT_ISSUER: BENCH_ISSUER,
    AUTH_JWT_AUDIENCE: BENCH_AUDIENCE,
    LOG_LEVEL: 'warn',
    DATABASE_URL: url,
    AUTH_JWT_SECRET: secrets.bearer,
    SESSION_TOKEN_SECRET: secrets.session,
    RATE_LIMIT_PER_USER_PER_MINUTE: '0',
    RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '0',
    PORT: String(port),
  };
  await createDatabase(MYSQL_SERVER, name);
  try {
    await runMigrations(ROOT, env);
    const [caller] = await seed(url, layout, 1, secrets);
    const server = startServer(
      'app',
      process.execPath,
      [],
      join(ROOT, 'dist', 'main.js'),
      [],
      env,
      port,
      join(ROOT, 'bench', 'results', 'list-pages-app.log'),
      ROOT,
    );
    try {
      await waitReady(server);
      const headers = {
        authorization: `Bearer ${caller.bearerToken}`,
        'x-session-token': caller.sessionToken,
      };
      const pageTimes: number[][] = [];
      for (let walk = 0; walk < walks; walk++) {
        const seen = new Set<number>();
        let cursor: string | null = null;
        let page = 0;
        do {
          const query = `limit=${limit}` + (cursor ? `&cursor=${cursor}` : '');
          const started = performance.now();
          const response = await fetch(
            `http://127.0.0.1:${port}/users-organizations/v1/rs/users?${query}`,
            { headers },
          );
          const body = (await response.json()) as {
            data: { userId: number }[];
            nextCursor: string | null;
          };
          const elapsed = performance.now() - started;
          if (response.status !== 200) throw new Error(`page ${page}: HTTP ${response.status}`);
          (pageTimes[page] ??= []).push(elapsed);
          for (const member of body.data) {
            if (seen.has(member.userId)) throw new Error(`user ${member.userId} returned twice`);
            seen.add(member.userId);
          }
          cursor = body.nextCursor;
          page++;
        } while (cursor !== null);
        if (seen.size !== memberships) {
          throw new Error(`walk ${walk}: ${seen.size} members returned, ${memberships} expected`);
        }
      }
      // The first walk warms the app up; the medians over walks smooth out the noise.
      const perPage = pageTimes.map(median);
      const first = perPage[0];
      const slowest = Math.max(...perPage);
      const last = perPage[perPage.length - 1];
      console.log(
        `${memberships} members, ${perPage.length} pages of ${limit}, ${walks} walks: ` +
          'every member returned exactly once in every walk',
      );
      console.log(
        `median ms per page: first ${first.toFixed(2)}, last ${last.toFixed(2)}, ` +
          `slowest ${slowest.toFixed(2)} (page ${perPage.indexOf(slowest) + 1}), ` +
          `overall ${median(perPage).toFixed(2)}`,
      );
      console.log(
        `ratio slowest page / first page: ${(slowest / first).toFixed(2)}; ` +
          `last / first: ${(last / first).toFixed(2)}`,
      );
    } finally {
      await stopProcess(server.child);
    }
  } finally {
    await dropDatabase(MYSQL_SERVER, name);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  killAll();
  process.exit(1);
});
