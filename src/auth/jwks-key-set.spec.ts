import { generateKeyPairSync, KeyObject } from 'node:crypto';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  IdentityProviderUnavailableError,
  InvalidBearerKeyError,
  JwksKeySet,
  JwksKeySetOptions,
} from './jwks-key-set';

/** A real JWKS endpoint on loopback whose keys and failures the test sets. */
class JwksServer {
  keys: object[] = [];
  failing = false;
  fetches = 0;
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((_request, response) => {
      this.fetches += 1;
      if (this.failing) return void response.writeHead(500).end('down');
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ keys: this.keys }));
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/jwks.json`;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const jwk = (publicKey: KeyObject, kid: string) => ({
  ...publicKey.export({ format: 'jwk' }),
  kid,
  alg: 'RS256',
  use: 'sig',
});
const rsa = () => generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;

describe('JwksKeySet', () => {
  const server = new JwksServer();
  const first = rsa();
  const second = rsa();
  let clock = 0;
  const sets: JwksKeySet[] = [];
  const keySet = (options: Partial<JwksKeySetOptions> = {}) => {
    const set = new JwksKeySet({
      uri: server.url,
      algorithms: ['RS256', 'ES256'],
      refetchIntervalMs: 30_000,
      now: () => clock,
      ...options,
    });
    sets.push(set);
    return set;
  };

  beforeAll(() => server.start());
  afterAll(() => server.stop());
  beforeEach(() => {
    clock = 1_000_000;
    server.keys = [jwk(first, 'one'), jwk(second, 'two')];
    server.failing = false;
    server.fetches = 0;
  });
  afterEach(() => {
    for (const set of sets.splice(0)) set.close();
  });

  it('caches the whole set: every kid of one fetch is served without another', async () => {
    const set = keySet();
    expect((await set.key('one')).equals(first)).toBe(true);
    expect((await set.key('two')).equals(second)).toBe(true);
    expect(server.fetches).toBe(1);
  });

  it('shares one fetch among concurrent callers with unknown kids (single flight)', async () => {
    const set = keySet();
    await set.key('one');
    clock += 30_000;
    const answers = await Promise.allSettled(
      Array.from({ length: 25 }, (_, index) => set.key(`bogus-${index}`)),
    );
    expect(answers.every((answer) => answer.status === 'rejected')).toBe(true);
    expect(
      answers.every(
        (answer) => answer.status === 'rejected' && answer.reason instanceof InvalidBearerKeyError,
      ),
    ).toBe(true);
    expect(server.fetches).toBe(2);
  });

  it('refetches for unknown kids at most once per interval, and remembers misses', async () => {
    const set = keySet();
    await set.key('one');
    // Within the interval: refused without asking the provider.
    await expect(set.key('soon')).rejects.toBeInstanceOf(InvalidBearerKeyError);
    expect(server.fetches).toBe(1);
    // Past it: one refetch; the kid is then a known miss, even past the next interval.
    clock += 30_000;
    await expect(set.key('missing')).rejects.toBeInstanceOf(InvalidBearerKeyError);
    expect(server.fetches).toBe(2);
    clock += 30_000;
    await expect(set.key('missing')).rejects.toBeInstanceOf(InvalidBearerKeyError);
    expect(server.fetches).toBe(2);
    // A kid refused only for the interval was never a miss: a rotation gets the next refetch.
    server.keys.push(jwk(rsa(), 'soon'));
    const rotated = await set.key('soon');
    expect(rotated).toBeInstanceOf(KeyObject);
    expect(server.fetches).toBe(3);
  });

  it('keeps the last good set while the provider fails, for up to 24 hours', async () => {
    const set = keySet({ staleLimitMs: 24 * 3600 * 1000 });
    await set.key('one');
    server.failing = true;
    clock += 30_000;
    // An unknown kid while the provider is down is an outage, never a refusal.
    await expect(set.key('new')).rejects.toBeInstanceOf(IdentityProviderUnavailableError);
    expect((await set.key('one')).equals(first)).toBe(true);
    clock += 24 * 3600 * 1000;
    await expect(set.key('one')).rejects.toBeInstanceOf(IdentityProviderUnavailableError);
    // The provider comes back: the next allowed fetch restores service.
    server.failing = false;
    clock += 30_000;
    expect((await set.key('one')).equals(first)).toBe(true);
  });

  it('refreshes the set in the background before it goes stale', async () => {
    const set = keySet({ maxAgeMs: 200 });
    await set.key('one');
    const rotated = rsa();
    server.keys = [jwk(rotated, 'three')];
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(server.fetches).toBeGreaterThanOrEqual(2);
    // Served from the refreshed set without a fetch of its own.
    const fetches = server.fetches;
    expect((await set.key('three')).equals(rotated)).toBe(true);
    expect(server.fetches).toBe(fetches);
  });

  it('ignores keys it cannot use: encryption keys, other algorithms, broken or weak keys', async () => {
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey;
    server.keys = [
      jwk(weak, 'weak'),
      { ...p384.export({ format: 'jwk' }), kid: 'p384', alg: 'ES256', use: 'sig' },
      { ...jwk(first, 'enc'), use: 'enc' },
      { ...jwk(first, 'hs'), alg: 'HS256' },
      { kty: 'RSA', kid: 'broken', n: '@@', e: '!!' },
      { kty: 'oct', kid: 'symmetric', k: 'c2VjcmV0' },
      jwk(second, 'good'),
    ];
    const set = keySet();
    expect((await set.key('good')).equals(second)).toBe(true);
    for (const kid of ['weak', 'p384', 'enc', 'hs', 'broken', 'symmetric']) {
      await expect(set.key(kid)).rejects.toBeInstanceOf(InvalidBearerKeyError);
    }
  });
});
