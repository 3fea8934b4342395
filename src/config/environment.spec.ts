import { asyncContextIsCheap, ConfigError, DEFAULT_RATE_LIMITS, loadConfig } from './app-config';
import { parseTrustProxy } from './environment';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('logging, proxy and rate-limit settings', () => {
  it('defaults: info logs, no trusted proxy, generous in-process limits', () => {
    const config = loadConfig({});
    expect(config.logLevel).toBe('info');
    expect(config.trustProxy).toBe(false);
    expect(config.rateLimit).toEqual({
      perUserPerMinute: 600,
      perAddressPerMinute: 1200,
      authFailuresPerMinute: 200,
      redisUrl: undefined,
      keyPrefix: DEFAULT_RATE_LIMITS.keyPrefix,
    });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      LOG_LEVEL: 'warn',
      TRUST_PROXY: '10.0.0.0/8, loopback',
      REDIS_URL: 'redis://:pw@cache.internal:6379/2',
      RATE_LIMIT_PER_USER_PER_MINUTE: '60',
      RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '0',
      RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '10',
      RATE_LIMIT_KEY_PREFIX: 'staging:uo:',
    });
    expect(config.logLevel).toBe('warn');
    expect(config.trustProxy).toEqual(['10.0.0.0/8', 'loopback']);
    expect(config.rateLimit).toEqual({
      perUserPerMinute: 60,
      perAddressPerMinute: 0,
      authFailuresPerMinute: 10,
      redisUrl: 'redis://:pw@cache.internal:6379/2',
      keyPrefix: 'staging:uo:',
    });
  });

  it("marks the app's lines with their request by default only where that costs nothing", () => {
    expect(asyncContextIsCheap('20.20.2')).toBe(false);
    expect(asyncContextIsCheap('22.21.0')).toBe(false);
    expect(asyncContextIsCheap('24.0.0')).toBe(true);
    expect(asyncContextIsCheap('25.2.1')).toBe(true);
    expect(loadConfig({}).logRequestContext).toBe(asyncContextIsCheap(process.versions.node));
    expect(loadConfig({ LOG_REQUEST_CONTEXT: 'true' }).logRequestContext).toBe(true);
    expect(loadConfig({ LOG_REQUEST_CONTEXT: 'false' }).logRequestContext).toBe(false);
    expect(problemsOf({ LOG_REQUEST_CONTEXT: 'on' })).toEqual([
      'LOG_REQUEST_CONTEXT must be true or false',
    ]);
  });

  it('logs text in development, JSON in production and tests, unless LOG_FORMAT says', () => {
    expect(loadConfig({}).logFormat).toBe('text');
    expect(loadConfig({ NODE_ENV: 'development' }).logFormat).toBe('text');
    expect(loadConfig({ NODE_ENV: 'test' }).logFormat).toBe('json');
    expect(loadConfig({ LOG_FORMAT: 'json' }).logFormat).toBe('json');
    expect(loadConfig({ NODE_ENV: 'test', LOG_FORMAT: 'text' }).logFormat).toBe('text');
    expect(problemsOf({ LOG_FORMAT: 'pretty' })).toEqual(['LOG_FORMAT must be json or text']);
  });

  it('reads the JWKS refetch interval and the invitation accept URL template', () => {
    const config = loadConfig({
      AUTH_JWKS_URI: 'https://idp.example/jwks.json',
      AUTH_JWKS_REFETCH_INTERVAL_SECONDS: '5',
      INVITATION_ACCEPT_URL: 'https://care.example/join?token={token}',
    });
    expect(config.bearer).toMatchObject({ kind: 'jwks', refetchIntervalSeconds: 5 });
    expect(config.invitationAcceptUrl).toBe('https://care.example/join?token={token}');
    expect(loadConfig({}).invitationAcceptUrl).toBeUndefined();
  });

  it('accepts rediss:// and a host without a domain', () => {
    expect(loadConfig({ REDIS_URL: 'rediss://cache:6380' }).rateLimit.redisUrl).toBe(
      'rediss://cache:6380',
    );
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' }).rateLimit.redisUrl).toBe(
      'redis://127.0.0.1:6379',
    );
  });

  it.each([
    ['LOG_LEVEL', 'verbose'],
    ['LOG_LEVEL', 'INFO'],
    ['TRUST_PROXY', 'yes'],
    ['TRUST_PROXY', '10.0.0.0/33'],
    ['TRUST_PROXY', '10.0.0.1,'],
    ['TRUST_PROXY', '999.1.1.1'],
    ['TRUST_PROXY', '100'],
    ['REDIS_URL', 'http://cache:6379'],
    ['REDIS_URL', 'cache:6379'],
    ['RATE_LIMIT_PER_USER_PER_MINUTE', '-1'],
    ['RATE_LIMIT_PER_USER_PER_MINUTE', 'many'],
    ['RATE_LIMIT_PER_ADDRESS_PER_MINUTE', '1000001'],
    ['RATE_LIMIT_AUTH_FAILURES_PER_MINUTE', '2.5'],
    ['RATE_LIMIT_KEY_PREFIX', 'has space'],
    ['RATE_LIMIT_KEY_PREFIX', 'x'.repeat(101)],
    ['AUTH_JWKS_REFETCH_INTERVAL_SECONDS', '0'],
    ['AUTH_JWKS_REFETCH_INTERVAL_SECONDS', '3601'],
    ['INVITATION_ACCEPT_URL', 'https://app.example/join'],
    ['INVITATION_ACCEPT_URL', 'ftp://app.example/join?token={token}'],
    ['INVITATION_ACCEPT_URL', '{token}'],
  ])('names %s for %p', (name, value) => {
    const problems = problemsOf({ [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(name);
  });
});

describe('parseTrustProxy', () => {
  it.each([
    ['false', false],
    ['true', true],
    ['0', 0],
    ['2', 2],
    ['loopback', ['loopback']],
    ['loopback,linklocal,uniquelocal', ['loopback', 'linklocal', 'uniquelocal']],
    ['10.1.2.3', ['10.1.2.3']],
    ['10.0.0.0/8 , 192.168.0.0/16', ['10.0.0.0/8', '192.168.0.0/16']],
    ['fd00::/8,::1', ['fd00::/8', '::1']],
  ])('reads %p', (value, expected) => {
    expect(parseTrustProxy(value)).toEqual(expected);
  });

  it.each(['', 'FALSE', 'maybe', '1.2.3', '10.0.0.0/8/1', '::1/129', 'loopback;10.0.0.1', '-1'])(
    'refuses %p',
    (value) => {
      expect(parseTrustProxy(value)).toBeNull();
    },
  );
});
