import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { statementOperation } from '../src/database/database-metrics';
import { UNMATCHED_ROUTE } from '../src/common/metrics/route-templates';
import { SWAGGER_UI_PATH } from '../src/common/swagger/swagger';
import { DatabaseService } from '../src/database/database.service';
import { ENGINES, Engine } from './support/databases';
import { movedBy, parseMetrics, sampleKey, scrape } from './support/metrics';
import {
  cleanEnv,
  freePort,
  NodeProcess,
  REPO_ROOT,
  scratchCheckout,
  sleep,
} from './support/processes';
import { StatementCounter } from './support/statement-counter';
import { NO_RATE_LIMITS, startTestApp, TestApp } from './support/test-app';
import { bearerToken } from './support/tokens';
import { TEST_SQL } from './support/sql-catalogue';

// GET /metrics (DESIGN 12): each counter is scraped before and after known traffic and must
// have moved by exactly what was sent.
const USERS = '/users-organizations/v1/rs/users';
const USER = `${USERS}/:userId`;
const MY_ORGANIZATIONS = '/users-organizations/v1/rs/me/organizations';

const apps: TestApp[] = [];
async function app(engine: Engine, env: Record<string, string> = {}): Promise<TestApp> {
  const started = await startTestApp(engine, { env: { ...NO_RATE_LIMITS, ...env } });
  apps.push(started);
  return started;
}
afterEach(async () => {
  await Promise.all(apps.splice(0).map((started) => started.close()));
});

/** User and system CPU of a child process so far, from /proc (Linux), in seconds. */
function cpuSecondsOf(child: NodeProcess): number {
  const stat = readFileSync(`/proc/${child.child.pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function waitForLive(port: number, child: NodeProcess): Promise<void> {
  for (;;) {
    if (child.hasExited) throw new Error(`The app exited${child.output()}`);
    const live = await fetch(`http://127.0.0.1:${port}/health/live`).catch(() => null);
    if (live?.status === 200) return;
    await sleep(100);
  }
}

const requests = (method: string, route: string, status: number) =>
  sampleKey('http_requests_total', { method, route, status_code: String(status) });

describe.each(ENGINES)('GET /metrics on %s', (engine) => {
  it('counts and times requests by route template and status, refusals before routing included', async () => {
    const t = await app(engine);
    const alice = await t.login('alice', 1);
    const statements = new StatementCounter();
    try {
      const before = await scrape(t.http);
      for (const firstName of ['Metric1', 'Metric2', 'Metric3']) {
        await t.http().patch(`${USERS}/me`).set(alice).send({ firstName }).expect(200);
      }
      await t.http().get(`${USERS}/2`).set(alice).expect(200);
      await t.http().get(`${USERS}/3`).set(alice).expect(200);
      await t.http().get(`${USERS}/2`).expect(401);
      await t
        .http()
        .patch(`${USERS}/12345`)
        .set(alice)
        .set('content-type', 'text/plain')
        .send('firstName')
        .expect(415);
      await t.http().get('/no-such-route/12345').expect(404);
      const after = await scrape(t.http);

      const expected = {
        [requests('PATCH', USER, 200)]: 3,
        [requests('GET', USER, 200)]: 2,
        [requests('GET', USER, 401)]: 1,
        [requests('PATCH', USER, 415)]: 1,
        [requests('GET', UNMATCHED_ROUTE, 404)]: 1,
      };
      expect(movedBy(before, after, 'http_requests_total')).toEqual(expected);
      // The histogram saw the same requests, each in its +Inf bucket.
      const counts = movedBy(before, after, 'http_request_duration_seconds_count');
      expect(counts).toEqual(
        Object.fromEntries(
          Object.entries(expected).map(([key, value]) => [
            key.replace('http_requests_total', 'http_request_duration_seconds_count'),
            value,
          ]),
        ),
      );
      // Never a raw path in a label: ids would make a time series per user.
      for (const key of after.keys()) {
        if (key.startsWith('http_')) expect(key).not.toMatch(/12345|\/users\/[23]\b|me"/);
      }

      // Statement durations: one observation per statement the app sent, by operation.
      const sent: Record<string, number> = {};
      for (const sql of statements.statements) {
        const key = sampleKey('db_statement_duration_seconds_count', {
          operation: statementOperation(sql),
          outcome: 'ok',
        });
        sent[key] = (sent[key] ?? 0) + 1;
      }
      expect(statements.statements.length).toBeGreaterThan(10);
      expect(movedBy(before, after, 'db_statement_duration_seconds_count')).toEqual(sent);
      expect(
        sent[
          sampleKey('db_statement_duration_seconds_count', { operation: 'update', outcome: 'ok' })
        ],
      ).toBe(3);
    } finally {
      statements.restore();
    }
  });

  it('reports the connections in use and the requests waiting for one', async () => {
    const t = await app(engine, { DATABASE_POOL_SIZE: '1' });
    const database = t.app.get(DatabaseService);
    const pool = async () => {
      const samples = await scrape(t.http);
      return {
        inUse: samples.get('db_pool_connections_in_use'),
        waiting: samples.get('db_pool_requests_waiting'),
      };
    };
    expect(await pool()).toEqual({ inUse: 0, waiting: 0 });
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    let entered = () => {};
    const holding = new Promise<void>((resolve) => (entered = resolve));
    const first = database.transaction(async (executor) => {
      await executor.query(`${TEST_SQL} SELECT 1 AS \`one\``);
      entered();
      await held;
    });
    await holding;
    expect(await pool()).toEqual({ inUse: 1, waiting: 0 });
    // The pool holds one connection (SQLite: one anyway): the second transaction waits for it.
    const second = database.transaction((executor) =>
      executor.query(`${TEST_SQL} SELECT 2 AS \`two\``),
    );
    expect(await pool()).toEqual({ inUse: 1, waiting: 1 });
    release();
    await Promise.all([first, second]);
    expect(await pool()).toEqual({ inUse: 0, waiting: 0 });
  });
});

describe('GET /metrics', () => {
  it('serves the process metrics (memory, event-loop lag) without tokens', async () => {
    const t = await app('sqlite');
    const samples = await scrape(t.http);
    for (const name of [
      'process_resident_memory_bytes',
      'process_cpu_seconds_total',
      'nodejs_heap_size_used_bytes',
      'nodejs_eventloop_lag_seconds',
      'nodejs_eventloop_lag_p99_seconds',
    ]) {
      expect(samples.get(name)).toEqual(expect.any(Number));
    }
    expect(samples.get('process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('on the first scrape of a fresh process, shows the event-loop delay and the CPU spent since its start', async () => {
    const cwd = scratchCheckout();
    const port = await freePort();
    const child = new NodeProcess([join(REPO_ROOT, 'dist', 'main.js')], {
      cwd,
      env: cleanEnv({ PORT: String(port), DATABASE_URL: `sqlite:${join(cwd, 'app.sqlite')}` }),
    });
    try {
      await waitForLive(port, child);
      const spent = cpuSecondsOf(child);
      const response = await fetch(`http://127.0.0.1:${port}/metrics`);
      const samples = parseMetrics(await response.text());
      // /proc counts in ticks of 10 ms, the process in microseconds.
      expect(samples.get('process_cpu_seconds_total')).toBeGreaterThanOrEqual(spent - 0.02);
      for (const statistic of ['min', 'max', 'mean', 'stddev', 'p50', 'p90', 'p99']) {
        const value = samples.get(`nodejs_eventloop_lag_${statistic}_seconds`);
        expect({ statistic, sane: value !== undefined && value >= 0 && value < 60 }).toEqual({
          statistic,
          sane: true,
        });
      }
    } finally {
      await child.stop();
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  it('labels the Swagger UI assets by their folder, keeping unmatched for a 404', async () => {
    const t = await app('sqlite');
    const before = await scrape(t.http);
    await t.http().get(`/${SWAGGER_UI_PATH}/swagger-ui.css`).expect(200);
    await t.http().get(`/${SWAGGER_UI_PATH}/swagger-ui-bundle.js`).expect(200);
    await t.http().get(`/${SWAGGER_UI_PATH}/no-such-asset.js`).expect(404);
    const after = await scrape(t.http);
    expect(movedBy(before, after, 'http_requests_total')).toEqual({
      [requests('GET', `/${SWAGGER_UI_PATH}/*asset`, 200)]: 2,
      [requests('GET', UNMATCHED_ROUTE, 404)]: 1,
    });
  });

  it('counts each kind of rate-limit refusal, and is itself never limited', async () => {
    const t = await app('sqlite', {
      RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '3',
      RATE_LIMIT_PER_USER_PER_MINUTE: '2',
      RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '1',
      TRUST_PROXY: 'loopback',
    });
    const refusals = (limit: string) => sampleKey('rate_limit_refusals_total', { limit });
    const before = await scrape(t.http);
    expect(before.get(refusals('address'))).toBe(0);
    // Each limit is tried from an address of its own.
    const get = (address: string, token: string) =>
      t
        .http()
        .get(MY_ORGANIZATIONS)
        .set('X-Forwarded-For', address)
        .set('Authorization', `Bearer ${token}`);
    // Per user: bob's third request is refused.
    await get('10.0.0.1', bearerToken('bob')).expect(200);
    await get('10.0.0.1', bearerToken('bob')).expect(200);
    await get('10.0.0.1', bearerToken('bob')).expect(429);
    // Failed authentications: the first 401 uses up the allowance, the next is refused.
    await get('10.0.0.2', 'nope').expect(401);
    await get('10.0.0.2', 'nope').expect(429);
    // Per address: three requests pass, the next two are refused.
    for (const subject of ['carol', 'dave', 'alice']) {
      await get('10.0.0.3', bearerToken(subject)).expect(200);
    }
    await get('10.0.0.3', bearerToken('carol')).expect(429);
    await get('10.0.0.3', bearerToken('dave')).expect(429);
    const after = await scrape(t.http);
    for (let scrapes = 0; scrapes < 10; scrapes++) await scrape(t.http);
    expect(movedBy(before, after, 'rate_limit_refusals_total')).toEqual({
      [refusals('user')]: 1,
      [refusals('auth_failures')]: 1,
      [refusals('address')]: 2,
    });
    expect(movedBy(before, after, 'http_requests_total')).toEqual({
      [requests('GET', MY_ORGANIZATIONS, 200)]: 5,
      [requests('GET', MY_ORGANIZATIONS, 401)]: 1,
      [requests('GET', MY_ORGANIZATIONS, 429)]: 4,
    });
  });

  it('moves to METRICS_PORT when set, and is gone with METRICS_ENABLED=false', async () => {
    const port = await freePort();
    const moved = await app('sqlite', { METRICS_PORT: String(port) });
    await moved.http().get('/metrics').expect(404);
    await moved.http().get('/health/live').expect(200);
    const response = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await response.text()).toContain(`${requests('GET', '/health/live', 200)} 1\n`);
    expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);

    const off = await app('sqlite', { METRICS_ENABLED: 'false' });
    await off.http().get('/metrics').expect(404);
  });
});
