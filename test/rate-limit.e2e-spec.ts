import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import type { Response } from 'supertest';
import { ENGINES, Engine, createTestDatabase, TestDatabase } from './support/databases';
import { freePort } from './support/processes';
import { startTestApp, TestApp } from './support/test-app';
import { bearerToken } from './support/tokens';
import { LOG_GUARD } from './support/log-guard';
import { RateLimitStore } from '../src/common/rate-limit/rate-limit.store';

// Rate limits (DESIGN 7: 429; issue 4 part 3). Requests go to GET /me/organizations, a
// bearer-only route: a locally minted access token is all it needs, so no login request has to
// be counted. Each app gets its own small limits and fresh counters.
const ROUTE = '/users-organizations/v1/rs/me/organizations';
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const OFF = {
  RATE_LIMIT_PER_USER_PER_MINUTE: '0',
  RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '0',
  RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '0',
};

const apps: TestApp[] = [];
async function app(
  engine: Engine,
  env: Record<string, string>,
  databaseUrl?: string,
): Promise<TestApp> {
  const started = await startTestApp(engine, { env: { ...OFF, ...env }, databaseUrl });
  apps.push(started);
  return started;
}
afterEach(async () => {
  await Promise.all(apps.splice(0).map((started) => started.close()));
});

const bearer = (subject: string) => `Bearer ${bearerToken(subject)}`;

function get(t: TestApp, authorization: string, forwardedFor?: string) {
  const request = t.http().get(ROUTE).set('Authorization', authorization);
  return forwardedFor === undefined ? request : request.set('X-Forwarded-For', forwardedFor);
}

/** Sends the requests one after another (counters are compared in order) and lists the statuses. */
async function statuses(count: number, send: (index: number) => Promise<Response>) {
  const seen: number[] = [];
  for (let index = 0; index < count; index++) seen.push((await send(index)).status);
  return seen;
}

const times = (count: number, status: number) => Array<number>(count).fill(status);

/** A 429 is problem+json RATE_LIMITED, says when to come back, and carries the request id. */
function expectRateLimited(response: Response, limit: number) {
  expect(response.status).toBe(429);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(response.body).toMatchObject({
    status: 429,
    code: 'RATE_LIMITED',
    title: 'Too many requests',
    requestId: response.headers['x-request-id'],
  });
  expect(JSON.stringify(response.body)).not.toMatch(/\bat \w|ThrottlerException|stack/);
  const retryAfter = Number(response.headers['retry-after']);
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
  expect(response.headers['ratelimit-limit']).toBe(String(limit));
  expect(response.headers['ratelimit-remaining']).toBe('0');
  expect(Number(response.headers['ratelimit-reset'])).toBeGreaterThanOrEqual(1);
  expect(response.headers['cache-control']).toBe('no-store');
}

describe.each(ENGINES)('rate limits on %s', (engine) => {
  describe('per client address', () => {
    it('counts every request of an address, then answers 429 problem+json with Retry-After', async () => {
      const t = await app(engine, { RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '4' });
      const remaining: string[] = [];
      for (const subject of ['alice', 'bob', 'carol', 'dave']) {
        // Different users, one address: the address limit is shared.
        const response = await get(t, bearer(subject)).expect(200);
        expect(response.headers['ratelimit-limit']).toBe('4');
        remaining.push(response.headers['ratelimit-remaining']);
      }
      expect(remaining).toEqual(['3', '2', '1', '0']);
      expectRateLimited(await get(t, bearer('alice')), 4);
      // An unauthenticated request from there is refused before the token is looked at.
      expectRateLimited(await t.http().get(ROUTE), 4);
    });

    it('never limits the health probes or the API documentation', async () => {
      const t = await app(engine, { RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '1' });
      await get(t, bearer('alice')).expect(200);
      expect((await get(t, bearer('alice'))).status).toBe(429);
      for (let index = 0; index < 5; index++) {
        const live = await t.http().get('/health/live').expect(200);
        expect(live.headers['ratelimit-limit']).toBeUndefined();
        await t.http().get('/health/ready').expect(200);
      }
      await t.http().get('/users-organizations/docs').expect(200);
      await t.http().get('/users-organizations/docs-json').expect(200);
    });

    it('is not reset by a spoofed X-Forwarded-For while TRUST_PROXY is off (the default)', async () => {
      const t = await app(engine, { RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '3' });
      const seen = await statuses(8, (index) =>
        get(t, bearer('alice'), `203.0.113.${index + 1}, 198.51.100.${index + 1}`),
      );
      expect(seen).toEqual([...times(3, 200), ...times(5, 429)]);
    });

    it('keys on the forwarded client address only behind a trusted proxy (TRUST_PROXY)', async () => {
      // The test client connects from loopback: with loopback trusted, it acts as the proxy.
      const t = await app(engine, {
        RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '2',
        TRUST_PROXY: 'loopback',
      });
      expect(await statuses(3, () => get(t, bearer('alice'), '203.0.113.7'))).toEqual([
        200, 200, 429,
      ]);
      // Another client behind the same proxy has its own count...
      expect(await statuses(2, () => get(t, bearer('alice'), '198.51.100.2'))).toEqual([200, 200]);
      // ...and a client cannot escape its own by prepending a made-up address: the proxy
      // appends the address it saw, and that rightmost untrusted entry is the one used.
      expect((await get(t, bearer('alice'), '192.0.2.99, 203.0.113.7')).status).toBe(429);
    });
  });

  describe('per user', () => {
    it('limits each verified user on its own, whatever the address', async () => {
      const t = await app(engine, { RATE_LIMIT_PER_USER_PER_MINUTE: '3' });
      expect(await statuses(4, () => get(t, bearer('alice')))).toEqual([200, 200, 200, 429]);
      const refused = await get(t, bearer('alice'));
      expectRateLimited(refused, 3);
      expect(refused.body.detail).toMatch(/user/);
      // Another user from the same address is not affected.
      expect(await statuses(3, () => get(t, bearer('bob')))).toEqual([200, 200, 200]);
    });

    it('keys on the sub of a verified token only: forged tokens naming a user spend nothing of its limit', async () => {
      const t = await app(engine, { RATE_LIMIT_PER_USER_PER_MINUTE: '3' });
      const forged = `Bearer ${bearerToken('alice', { secret: 'attacker-secret-0123456789abcdef0123' })}`;
      const [header, payload] = bearerToken('alice').split('.');
      const unsigned = `Bearer ${header}.${payload}.`;
      expect(await statuses(10, (index) => get(t, index % 2 ? forged : unsigned))).toEqual(
        times(10, 401),
      );
      expect(await statuses(4, () => get(t, bearer('alice')))).toEqual([200, 200, 200, 429]);
    });

    it('applies to every authenticated route, before the session is read', async () => {
      const t = await app(engine, { RATE_LIMIT_PER_USER_PER_MINUTE: '3' });
      // The login (POST /sessions) is the first of alice's three requests.
      const headers = await t.login('alice', 1);
      const me = () => t.http().get('/users-organizations/v1/rs/users/me').set(headers);
      expect(await statuses(3, me)).toEqual([200, 200, 429]);
      // A revoked or bogus session token does not get around it either.
      const bogus = { ...headers, 'x-session-token': 'not-a-session-token' };
      expect((await t.http().get('/users-organizations/v1/rs/users/me').set(bogus)).status).toBe(
        429,
      );
    });
  });

  describe('failed authentications per address', () => {
    it('answers 429 instead of 401 to an address after too many 401s, and still serves its valid tokens (the audit of 2026-12-07: no lock-out of a shared address)', async () => {
      const t = await app(engine, { RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '5' });
      // Successful requests do not count.
      expect(await statuses(6, () => get(t, bearer('alice')))).toEqual(times(6, 200));
      const storm = await statuses(5, (index) =>
        index % 2 ? get(t, 'Bearer not.a.token') : t.http().get(ROUTE),
      );
      expect(storm).toEqual(times(5, 401));
      const refused = await get(t, 'Bearer not.a.token');
      expectRateLimited(refused, 5);
      expect(refused.body.detail).toMatch(/failed authentication/);
      // A colleague behind the same address signs in: served, whatever the guesser did.
      expect((await get(t, bearer('alice'))).status).toBe(200);
      expectRateLimited(await t.http().get(ROUTE), 5);
    });

    it('counts wrong invitation tokens like 401s, so tokens cannot be guessed online', async () => {
      const t = await app(engine, { RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '3' });
      const guess = (index: number) =>
        t
          .http()
          .post('/users-organizations/v1/rs/invitations/accept')
          .set('Authorization', bearer('guesser'))
          .send({ token: `1.${String(index).padStart(43, 'A')}` });
      const seen = await statuses(5, guess);
      expect(seen).toEqual([404, 404, 404, 429, 429]);
      expect((await get(t, bearer('alice'))).status).toBe(200);
      expectRateLimited(await get(t, 'Bearer forged'), 3);
    });

    it('blocks only the address that failed', async () => {
      const t = await app(engine, {
        RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '3',
        TRUST_PROXY: 'loopback',
      });
      const attacker = '203.0.113.66';
      const neighbour = '198.51.100.20';
      expect(await statuses(5, () => get(t, 'Bearer forged', attacker))).toEqual([
        401, 401, 401, 429, 429,
      ]);
      expect((await get(t, 'Bearer forged', neighbour)).status).toBe(401);
      expect((await get(t, bearer('alice'), attacker)).status).toBe(200);
    });
  });

  it('switches every limit off with 0', async () => {
    const t = await app(engine, {});
    const seen = await statuses(30, (index) =>
      index % 3 ? get(t, bearer('alice')) : get(t, 'Bearer forged'),
    );
    expect(seen.filter((status) => status === 429)).toEqual([]);
    const response = await get(t, bearer('alice')).expect(200);
    expect(response.headers['ratelimit-limit']).toBeUndefined();
  });
});

describe('rate limits shared through Redis (REDIS_URL)', () => {
  let redis: Redis;
  let database: TestDatabase;
  // A prefix of this run's own: counters of other runs (or of a real deployment) never mix in.
  const prefix = `uo-test:${process.pid}:${randomBytes(4).toString('hex')}:`;

  beforeAll(async () => {
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    expect(await redis.ping()).toBe('PONG');
    database = await createTestDatabase('mariadb');
  });
  afterAll(async () => {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', `*${prefix}*`, 'COUNT', 1000);
      cursor = next;
      keys.push(...found);
    } while (cursor !== '0');
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
    await database.drop();
  });

  /** Two instances on one database, as behind a load balancer. */
  async function pair(env: Record<string, string>) {
    const first = await app('mariadb', env, database.url);
    const second = await app('mariadb', env, database.url);
    return [first, second];
  }

  it('two instances with the same REDIS_URL share one counter per address', async () => {
    const [first, second] = await pair({
      REDIS_URL,
      RATE_LIMIT_KEY_PREFIX: `${prefix}address:`,
      RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '6',
    });
    const seen = await statuses(8, (index) => get(index % 2 ? second : first, bearer('alice')));
    expect(seen).toEqual([...times(6, 200), 429, 429]);
    expectRateLimited(await get(first, bearer('bob')), 6);
    expectRateLimited(await get(second, bearer('bob')), 6);
  });

  it('two instances with the same REDIS_URL share one counter per user', async () => {
    const [first, second] = await pair({
      REDIS_URL,
      RATE_LIMIT_KEY_PREFIX: `${prefix}user:`,
      RATE_LIMIT_PER_USER_PER_MINUTE: '4',
    });
    const seen = await statuses(6, (index) => get(index % 2 ? second : first, bearer('carol')));
    expect(seen).toEqual([...times(4, 200), 429, 429]);
    expect((await get(second, bearer('dave'))).status).toBe(200);
  });

  it('two instances with the same REDIS_URL share the failed-authentication count', async () => {
    const [first, second] = await pair({
      REDIS_URL,
      RATE_LIMIT_KEY_PREFIX: `${prefix}failures:`,
      RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '4',
    });
    for (let index = 0; index < 4; index++) {
      await get(index % 2 ? second : first, 'Bearer forged').expect(401);
    }
    // The count is written once the 401 is sent; give the last write a moment to land.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expectRateLimited(await get(first, 'Bearer forged'), 4);
    expectRateLimited(await get(second, 'Bearer forged'), 4);
    expect((await get(second, bearer('alice'))).status).toBe(200);
  });

  it('a different key prefix is a different set of counters', async () => {
    const env = { REDIS_URL, RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '2' };
    const one = await app(
      'mariadb',
      { ...env, RATE_LIMIT_KEY_PREFIX: `${prefix}one:` },
      database.url,
    );
    const two = await app(
      'mariadb',
      { ...env, RATE_LIMIT_KEY_PREFIX: `${prefix}two:` },
      database.url,
    );
    expect(await statuses(3, () => get(one, bearer('alice')))).toEqual([200, 200, 429]);
    expect(await statuses(2, () => get(two, bearer('alice')))).toEqual([200, 200]);
  });

  it('without REDIS_URL each instance counts on its own', async () => {
    const [first, second] = await pair({ RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '2' });
    expect(await statuses(2, () => get(first, bearer('alice')))).toEqual([200, 200]);
    expect(await statuses(2, () => get(second, bearer('alice')))).toEqual([200, 200]);
    expect((await get(first, bearer('alice'))).status).toBe(429);
  });

  it('keeps serving, and limiting in the process, while Redis cannot be reached', async () => {
    LOG_GUARD.expect(/RateLimit: Redis unavailable, counting rate limits in this process/);
    // The event relay's wake-ups use the same Redis, and say when they cannot (the poll goes on).
    LOG_GUARD.allow(/RelayWake: Relay wake-ups paused/);
    const nothingListens = await freePort();
    const t = await app(
      'mariadb',
      {
        REDIS_URL: `redis://127.0.0.1:${nothingListens}`,
        RATE_LIMIT_KEY_PREFIX: `${prefix}down:`,
        RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '3',
        RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '10',
      },
      database.url,
    );
    // No request waits for the missing Redis (ioredis reconnects in the background): none hands
    // it a command, which ioredis would hold in its offline queue until the command timed out.
    const store: unknown = t.app.get(RateLimitStore);
    const { redis } = store as { redis: Redis };
    const sent: string[] = [];
    const send = redis.sendCommand.bind(redis);
    redis.sendCommand = (command, stream) => {
      sent.push(command.name);
      return send(command, stream);
    };
    expect(await statuses(5, () => get(t, bearer('alice')))).toEqual([200, 200, 200, 429, 429]);
    expect(sent).toEqual([]);
  });
});
