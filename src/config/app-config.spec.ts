import {
  AppConfig,
  ConfigError,
  DEFAULT_DATABASE_DEADLINES,
  DEFAULT_SQLITE_PATH,
  DEVELOPMENT_BEARER_SECRET,
  DEVELOPMENT_SESSION_SECRET,
  loadConfig,
} from './app-config';

const STRONG_BEARER = 'b'.repeat(32) + '-bearer-production-secret';
const STRONG_SESSION = 's'.repeat(32) + '-session-production-secret';

type Env = Record<string, string | undefined>;

function production(overrides: Env = {}): Env {
  return {
    NODE_ENV: 'production',
    AUTH_JWT_SECRET: STRONG_BEARER,
    SESSION_TOKEN_SECRET: STRONG_SESSION,
    DATABASE_URL: 'mysql://app:pw@db.internal:3306/users_organizations',
    AUTH_JWT_ISSUER: 'https://idp.example',
    AUTH_JWT_AUDIENCE: 'users-organizations',
    ...overrides,
  };
}

function configError(env: Env): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw new Error(`expected a ConfigError, got ${String(error)}`);
  }
  throw new Error('expected loadConfig to refuse this environment');
}

describe('loadConfig in development', () => {
  it('applies every default to an empty environment', () => {
    const config = loadConfig({});
    expect(config).toBeInstanceOf(AppConfig);
    expect(config.env).toBe('development');
    expect(config.port).toBe(3000);
    expect(config.database).toEqual({
      type: 'better-sqlite3',
      path: DEFAULT_SQLITE_PATH,
      defaultIssuer: '',
    });
    expect(config.embedded).toBe(true);
    expect(config.migrationsRun).toBe(true);
    expect(config.sessionTtlSeconds).toBe(86400);
    expect(config.issuer).toBeUndefined();
    expect(config.audience).toBeUndefined();
  });

  it('falls back to the development secrets and lists them', () => {
    const config = loadConfig({});
    expect(config.bearer).toEqual({
      kind: 'secret',
      algorithms: ['HS256'],
      secret: DEVELOPMENT_BEARER_SECRET,
    });
    expect(config.sessionSecret).toBe(DEVELOPMENT_SESSION_SECRET);
    expect(config.developmentSecrets).toEqual(['AUTH_JWT_SECRET', 'SESSION_TOKEN_SECRET']);
    expect(DEVELOPMENT_BEARER_SECRET).not.toBe(DEVELOPMENT_SESSION_SECRET);
  });

  it('lists only the secret that fell back', () => {
    expect(loadConfig({ SESSION_TOKEN_SECRET: 'short-is-fine-in-dev' }).developmentSecrets).toEqual(
      ['AUTH_JWT_SECRET'],
    );
    expect(loadConfig({ AUTH_JWT_SECRET: 'short-is-fine-in-dev' }).developmentSecrets).toEqual([
      'SESSION_TOKEN_SECRET',
    ]);
  });

  it('does not list the bearer secret when a JWKS URI is configured', () => {
    const config = loadConfig({ AUTH_JWKS_URI: 'http://localhost:8080/jwks.json' });
    expect(config.developmentSecrets).toEqual(['SESSION_TOKEN_SECRET']);
    expect(config.bearer).toEqual({
      kind: 'jwks',
      algorithms: ['RS256', 'ES256'],
      jwksUri: 'http://localhost:8080/jwks.json',
      refetchIntervalSeconds: 30,
    });
  });

  it('treats empty strings as unset', () => {
    const config = loadConfig({ PORT: '', AUTH_JWT_SECRET: '', SESSION_TOKEN_SECRET: '' });
    expect(config.port).toBe(3000);
    expect(config.developmentSecrets).toEqual(['AUTH_JWT_SECRET', 'SESSION_TOKEN_SECRET']);
  });

  it('ignores variables it does not read', () => {
    expect(() => loadConfig({ HOME: '/root', PATH: '/bin', PORT_EXTRA: 'x' })).not.toThrow();
  });

  it('parses numbers and the other settings', () => {
    const config = loadConfig({
      NODE_ENV: 'test',
      PORT: '8080',
      SESSION_TTL_SECONDS: '600',
      DATABASE_MIGRATIONS_RUN: 'false',
      AUTH_JWT_ISSUER: 'https://issuer.example',
      AUTH_JWT_AUDIENCE: 'users-organizations',
    });
    expect(config.env).toBe('test');
    expect(config.port).toBe(8080);
    expect(config.sessionTtlSeconds).toBe(600);
    expect(config.migrationsRun).toBe(false);
    expect(config.issuer).toBe('https://issuer.example');
    expect(config.audience).toBe('users-organizations');
  });

  it('accepts PORT 0 and the TTL bounds', () => {
    expect(loadConfig({ PORT: '0' }).port).toBe(0);
    expect(loadConfig({ SESSION_TTL_SECONDS: '60' }).sessionTtlSeconds).toBe(60);
    expect(loadConfig({ SESSION_TTL_SECONDS: '2592000' }).sessionTtlSeconds).toBe(2592000);
  });

  it('refuses equal secrets in development too', () => {
    const error = configError({
      AUTH_JWT_SECRET: 'same-secret',
      SESSION_TOKEN_SECRET: 'same-secret',
    });
    expect(error.problems).toEqual(['AUTH_JWT_SECRET and SESSION_TOKEN_SECRET must differ']);
  });

  it('refuses a bearer secret equal to the development session secret it would be paired with', () => {
    const error = configError({ AUTH_JWT_SECRET: DEVELOPMENT_SESSION_SECRET });
    expect(error.message).toContain('must differ');
  });

  it('refuses both AUTH_JWT_SECRET and AUTH_JWKS_URI, even in development', () => {
    const error = configError({
      AUTH_JWT_SECRET: 'a-secret',
      AUTH_JWKS_URI: 'https://idp.example/jwks.json',
    });
    expect(error.message).toContain('AUTH_JWT_SECRET');
    expect(error.message).toContain('AUTH_JWKS_URI');
    expect(error.problems).toHaveLength(1);
  });
});

describe('loadConfig: bad values', () => {
  it.each([
    ['PORT', 'abc'],
    ['PORT', '-1'],
    ['PORT', '65536'],
    ['PORT', '80.5'],
    ['PORT', '0x50'],
    ['SESSION_TTL_SECONDS', '5'],
    ['SESSION_TTL_SECONDS', '59'],
    ['SESSION_TTL_SECONDS', '2592001'],
    ['SESSION_TTL_SECONDS', 'one day'],
    ['DATABASE_POOL_SIZE', '0'],
    ['DATABASE_POOL_SIZE', '201'],
    ['DATABASE_STATEMENT_TIMEOUT_MS', '99'],
    ['DATABASE_STATEMENT_TIMEOUT_MS', '60001'],
    ['DATABASE_STATEMENT_TIMEOUT_MS', '2.5s'],
    ['DATABASE_POOL_TIMEOUT_MS', '0'],
    ['DATABASE_POOL_TIMEOUT_MS', '60001'],
    ['DATABASE_POOL_TIMEOUT_MS', '-1500'],
    ['DATABASE_CONNECT_ATTEMPTS', '0'],
    ['DATABASE_CONNECT_ATTEMPTS', '1001'],
    ['DATABASE_CONNECT_ATTEMPTS', 'ten'],
    ['DATABASE_MIGRATIONS_RUN', 'maybe'],
    ['NODE_ENV', 'staging'],
    ['DATABASE_URL', 'garbage'],
    ['DATABASE_URL', 'postgres://u:p@h:5432/db'],
    ['DATABASE_URL', 'mysql://host-without-database'],
    ['DATABASE_URL', 'sqlite:'],
    ['AUTH_JWKS_URI', 'not a url'],
    ['AUTH_JWKS_URI', 'ftp://idp.example/jwks.json'],
  ])('names %s in the error for %p', (name, value) => {
    const error = configError({ [name]: value });
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toContain(name);
    expect(error.message).toContain(name);
  });

  it('lists every problem at once (PORT=abc and SESSION_TTL_SECONDS=5)', () => {
    const error = configError({ PORT: 'abc', SESSION_TTL_SECONDS: '5' });
    expect(error.problems).toHaveLength(2);
    expect(error.problems.some((problem) => problem.startsWith('PORT'))).toBe(true);
    expect(error.problems.some((problem) => problem.startsWith('SESSION_TTL_SECONDS'))).toBe(true);
    expect(error.message).toMatch(/PORT[\s\S]*SESSION_TTL_SECONDS|SESSION_TTL_SECONDS[\s\S]*PORT/);
  });

  it('reports each bad variable once, even when several of its rules fail', () => {
    const error = configError({ PORT: 'abc' });
    expect(error.problems).toEqual(['PORT must be an integer between 0 and 65535']);
  });

  it('writes one line per problem in the message', () => {
    const error = configError({ PORT: 'abc', DATABASE_URL: 'garbage', NODE_ENV: 'staging' });
    expect(error.problems).toHaveLength(3);
    for (const problem of error.problems) expect(error.message).toContain(`  - ${problem}`);
    expect(error.message.startsWith('Invalid configuration:')).toBe(true);
  });

  it('is an Error', () => {
    expect(configError({ PORT: 'abc' })).toBeInstanceOf(Error);
  });
});

describe('loadConfig: DATABASE_URL', () => {
  it('uses MySQL for a mysql:// URL, with the default pool size and deadlines', () => {
    const url = 'mysql://root:@127.0.0.1:3306/users_organizations';
    const config = loadConfig({ DATABASE_URL: url });
    expect(config.database).toEqual({
      type: 'mysql',
      url,
      poolSize: 10,
      statementTimeoutMs: 2500,
      poolTimeoutMs: 1500,
      defaultIssuer: '',
    });
    expect(config.embedded).toBe(false);
  });

  it('accepts a mariadb:// URL with query parameters and a pool size', () => {
    const url = 'mariadb://u:p@db:3306/app?charset=utf8mb4';
    const config = loadConfig({ DATABASE_URL: url, DATABASE_POOL_SIZE: '25' });
    expect(config.database).toEqual({
      type: 'mysql',
      url,
      poolSize: 25,
      ...DEFAULT_DATABASE_DEADLINES,
      defaultIssuer: '',
    });
  });

  it('takes the statement and pool deadlines from the environment, within bounds', () => {
    const url = 'mysql://u:p@db:3306/app';
    expect(
      loadConfig({
        DATABASE_URL: url,
        DATABASE_STATEMENT_TIMEOUT_MS: '100',
        DATABASE_POOL_TIMEOUT_MS: '60000',
      }).database,
    ).toMatchObject({ statementTimeoutMs: 100, poolTimeoutMs: 60000 });
  });

  it('tries refused credentials once by default (no wait fixes them), DATABASE_CONNECT_ATTEMPTS otherwise', () => {
    const url = 'mysql://u:p@db:3306/app';
    expect(loadConfig({ DATABASE_URL: url }).databaseConnectAttempts).toBe(1);
    expect(
      loadConfig({ DATABASE_URL: url, DATABASE_CONNECT_ATTEMPTS: '5' }).databaseConnectAttempts,
    ).toBe(5);
  });

  it('uses SQLite for a sqlite: URL, with the path after the prefix', () => {
    const config = loadConfig({ DATABASE_URL: 'sqlite:/tmp/test.sqlite' });
    expect(config.database).toEqual({
      type: 'better-sqlite3',
      path: '/tmp/test.sqlite',
      defaultIssuer: '',
    });
    expect(config.embedded).toBe(false);
  });

  it('accepts a relative sqlite path and :memory:', () => {
    expect(loadConfig({ DATABASE_URL: 'sqlite:var/x.sqlite' }).database).toEqual({
      type: 'better-sqlite3',
      path: 'var/x.sqlite',
      defaultIssuer: '',
    });
    expect(loadConfig({ DATABASE_URL: 'sqlite::memory:' }).database).toEqual({
      type: 'better-sqlite3',
      path: ':memory:',
      defaultIssuer: '',
    });
  });

  it('refuses garbage with a message naming DATABASE_URL and showing the expected form', () => {
    const error = configError({ DATABASE_URL: 'localhost:3306' });
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toContain('DATABASE_URL');
    expect(error.problems[0]).toContain('mysql://');
  });
});

describe('loadConfig in production', () => {
  it('accepts strong, distinct secrets', () => {
    const config = loadConfig(production());
    expect(config.env).toBe('production');
    expect(config.developmentSecrets).toEqual([]);
    expect(config.sessionSecret).toBe(STRONG_SESSION);
    expect(config.bearer).toEqual({ kind: 'secret', algorithms: ['HS256'], secret: STRONG_BEARER });
  });

  it('accepts secrets of exactly 32 bytes', () => {
    const config = loadConfig(
      production({ AUTH_JWT_SECRET: 'x'.repeat(32), SESSION_TOKEN_SECRET: 'y'.repeat(32) }),
    );
    expect(config.sessionSecret).toBe('y'.repeat(32));
  });

  it('counts bytes, not characters (16 two-byte characters are 32 bytes)', () => {
    expect(() =>
      loadConfig(production({ SESSION_TOKEN_SECRET: '\u00e9'.repeat(16) })),
    ).not.toThrow();
  });

  it('accepts an https JWKS URI instead of a bearer secret', () => {
    const config = loadConfig(
      production({ AUTH_JWT_SECRET: undefined, AUTH_JWKS_URI: 'https://idp.example/jwks.json' }),
    );
    expect(config.bearer.kind).toBe('jwks');
    expect(config.developmentSecrets).toEqual([]);
  });

  it('refuses missing secrets, issuer and audience, naming each', () => {
    const error = configError({ NODE_ENV: 'production', DATABASE_URL: 'sqlite:/srv/app.sqlite' });
    expect(error.problems).toEqual([
      'AUTH_JWT_SECRET or AUTH_JWKS_URI is required in production',
      'SESSION_TOKEN_SECRET is required in production',
      'AUTH_JWT_ISSUER is required in production',
      'AUTH_JWT_AUDIENCE is required in production (a token another client of the provider obtained is not for this API)',
    ]);
  });

  it.each([
    [
      'an entry without an audience',
      [{ issuer: 'https://b.example', jwksUri: 'https://b.example/jwks' }],
      'AUTH_ISSUERS[0].audience is required in production',
    ],
    [
      'an http JWKS',
      [{ issuer: 'https://b.example', jwksUri: 'http://b.example/jwks', audience: 'uo' }],
      'AUTH_ISSUERS[0].jwksUri must be an https URL',
    ],
    [
      'the default issuer again',
      [{ issuer: 'https://idp.example', jwksUri: 'https://b.example/jwks', audience: 'uo-b' }],
      'AUTH_ISSUERS must name each issuer once, and not AUTH_JWT_ISSUER again',
    ],
    [
      'an unknown key',
      [
        {
          issuer: 'https://b.example',
          jwksUri: 'https://b.example/jwks',
          audience: 'uo',
          secret: 'x',
        },
      ],
      'AUTH_ISSUERS[0]: AUTH_ISSUERS must be a JSON array of {"issuer", "jwksUri", "audience"} objects, with an optional "trustEmail" (true or false)',
    ],
  ])('refuses AUTH_ISSUERS with %s in production', (_label, issuers, problem) => {
    const error = configError(production({ AUTH_ISSUERS: JSON.stringify(issuers) }));
    expect(error.problems).toEqual([problem]);
  });

  it('has no svc plane in production without AUTH_SERVICE_AUDIENCE, and lists no client by default', () => {
    expect(loadConfig(production()).auth.services).toBeNull();
    const plane = loadConfig(
      production({ AUTH_SERVICE_AUDIENCE: 'uo-services', PUBLIC_BASE_URL: 'https://api.example/' }),
    );
    expect(plane.auth.services).toEqual({ audience: 'uo-services', clients: {} });
    expect(plane.publicBaseUrl).toBe('https://api.example');
  });

  it('requires PUBLIC_BASE_URL with the svc plane in production, and an http(s) URL', () => {
    expect(configError(production({ AUTH_SERVICE_AUDIENCE: 'svc' })).problems).toEqual([
      "PUBLIC_BASE_URL is required in production with the svc plane: the decision point's metadata names its endpoints by it, never by the request's Host",
    ]);
    expect(configError({ PUBLIC_BASE_URL: 'https://api.example/?x=1' }).problems).toHaveLength(1);
    expect(loadConfig({ PORT: '8080' }).publicBaseUrl).toBe('http://localhost:8080');
  });

  it.each([
    [
      'equal to AUTH_JWT_AUDIENCE',
      { AUTH_SERVICE_AUDIENCE: 'users-organizations', PUBLIC_BASE_URL: 'https://a.example' },
    ],
    ['SERVICE_CLIENTS without it', { SERVICE_CLIENTS: '{}' }],
    [
      'a client with an unknown right',
      {
        AUTH_SERVICE_AUDIENCE: 'svc',
        SERVICE_CLIENTS: '{"a":{"rights":["admin"],"organizations":"*"}}',
      },
    ],
    [
      'a client with organization 0',
      { AUTH_SERVICE_AUDIENCE: 'svc', SERVICE_CLIENTS: '{"a":{"rights":[],"organizations":[0]}}' },
    ],
    [
      'SERVICE_CLIENTS that is not JSON',
      { AUTH_SERVICE_AUDIENCE: 'svc', PUBLIC_BASE_URL: 'https://a.example', SERVICE_CLIENTS: '{a' },
    ],
  ])('refuses AUTH_SERVICE_AUDIENCE %s', (_label, variables) => {
    const problems = configError(
      production({ PUBLIC_BASE_URL: 'https://a.example', ...variables }),
    ).problems;
    expect(problems).toHaveLength(1);
  });

  it('refuses a missing bearer secret alone', () => {
    const error = configError(production({ AUTH_JWT_SECRET: undefined }));
    expect(error.problems).toEqual(['AUTH_JWT_SECRET or AUTH_JWKS_URI is required in production']);
  });

  it('refuses an empty session secret as missing', () => {
    const error = configError(production({ SESSION_TOKEN_SECRET: '' }));
    expect(error.problems).toEqual(['SESSION_TOKEN_SECRET is required in production']);
  });

  it.each([
    ['AUTH_JWT_SECRET', DEVELOPMENT_BEARER_SECRET],
    ['AUTH_JWT_SECRET', DEVELOPMENT_SESSION_SECRET],
    ['SESSION_TOKEN_SECRET', DEVELOPMENT_SESSION_SECRET],
    ['SESSION_TOKEN_SECRET', DEVELOPMENT_BEARER_SECRET],
  ])('refuses %s set to a development secret', (name, value) => {
    const error = configError(production({ [name]: value }));
    expect(error.problems).toEqual([`${name} must not be a development secret in production`]);
  });

  it.each(['AUTH_JWT_SECRET', 'SESSION_TOKEN_SECRET'])(
    'refuses %s shorter than 32 bytes',
    (name) => {
      const error = configError(production({ [name]: 'z'.repeat(31) }));
      expect(error.problems).toEqual([`${name} must be at least 32 bytes in production`]);
    },
  );

  it('refuses equal secrets', () => {
    const error = configError(
      production({ AUTH_JWT_SECRET: STRONG_SESSION, SESSION_TOKEN_SECRET: STRONG_SESSION }),
    );
    expect(error.problems).toEqual(['AUTH_JWT_SECRET and SESSION_TOKEN_SECRET must differ']);
  });

  it('refuses both AUTH_JWT_SECRET and AUTH_JWKS_URI', () => {
    const error = configError(production({ AUTH_JWKS_URI: 'https://idp.example/jwks.json' }));
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toContain('not both');
  });

  it('refuses to start without DATABASE_URL: an embedded database must be named', () => {
    const error = configError(production({ DATABASE_URL: undefined }));
    expect(error.problems).toEqual([
      'DATABASE_URL is required in production (an embedded database must be named: DATABASE_URL=sqlite:/path/to/file.sqlite)',
    ]);
    const named = loadConfig(production({ DATABASE_URL: 'sqlite:/srv/app.sqlite' }));
    expect(named.database).toEqual({
      type: 'better-sqlite3',
      path: '/srv/app.sqlite',
      defaultIssuer: 'https://idp.example',
    });
    // Not "embedded": the demo data is never loaded into it.
    expect(named.embedded).toBe(false);
  });

  it('refuses an http JWKS URI', () => {
    const error = configError(
      production({ AUTH_JWT_SECRET: undefined, AUTH_JWKS_URI: 'http://idp.example/jwks.json' }),
    );
    expect(error.problems).toEqual(['AUTH_JWKS_URI must use https in production']);
  });

  it('lists every production problem at once', () => {
    const error = configError({
      NODE_ENV: 'production',
      DATABASE_URL: 'sqlite:/srv/app.sqlite',
      AUTH_JWT_SECRET: 'short',
      SESSION_TOKEN_SECRET: DEVELOPMENT_SESSION_SECRET,
      PORT: 'abc',
      SESSION_TTL_SECONDS: '5',
    });
    expect(error.problems).toEqual(
      expect.arrayContaining([
        'AUTH_JWT_SECRET must be at least 32 bytes in production',
        'SESSION_TOKEN_SECRET must not be a development secret in production',
        'PORT must be an integer between 0 and 65535',
        'SESSION_TTL_SECONDS must be an integer between 60 and 2592000',
        'AUTH_JWT_ISSUER is required in production',
      ]),
    );
    expect(error.problems).toHaveLength(6);
  });

  it('never puts a secret value in the error message', () => {
    const secret = 'p'.repeat(31);
    const error = configError(production({ AUTH_JWT_SECRET: secret }));
    expect(error.message).not.toContain(secret);
  });
});
