import { LogLevel, parseTrustProxy, TrustProxy, validateEnvironment } from './environment';
import { AuthConfig, loadAuthConfig } from './auth-config';
import { EventsConfig, loadEventsConfig } from './events-config';

/** Used only outside production, and announced with a warning in the log. */
export const DEVELOPMENT_BEARER_SECRET = 'development-only-bearer-secret-change-me-0001';
export const DEVELOPMENT_SESSION_SECRET = 'development-only-session-secret-change-me-0002';
export const DEFAULT_SQLITE_PATH = 'var/users-organizations.sqlite';
const MINIMUM_SECRET_BYTES = 32;
const DEFAULT_PORT = 3000;

/**
 * MySQL's deadlines: the longest one statement may run (lock waits included) and the longest a
 * request waits for a pooled connection; past either, the request is answered 503.
 */
export interface DatabaseDeadlines {
  statementTimeoutMs: number;
  poolTimeoutMs: number;
}

export const DEFAULT_DATABASE_DEADLINES: DatabaseDeadlines = {
  statementTimeoutMs: 2500,
  poolTimeoutMs: 1500,
};

export const DEFAULT_DATABASE_CONNECT_ATTEMPTS = 1;

export type DatabaseConfig = (
  | ({ type: 'mysql'; url: string; poolSize: number } & DatabaseDeadlines)
  | { type: 'better-sqlite3'; path: string }
) & {
  /** The default issuer (DESIGN 5), which the migration keying users by issuer gives them. */
  defaultIssuer: string;
};

/** How bearer tokens are verified: the algorithms are pinned here, never taken from a token. */
export type BearerVerification =
  | { kind: 'secret'; algorithms: ['HS256']; secret: string }
  | {
      kind: 'jwks';
      algorithms: ['RS256', 'ES256'];
      jwksUri: string;
      /** The least time between two fetches an unknown `kid` may cause (process-wide). */
      refetchIntervalSeconds: number;
    };

export const DEFAULT_JWKS_REFETCH_INTERVAL_SECONDS = 30;

/**
 * Requests per minute; 0 switches a limit off. Counters live in Redis when `redisUrl` is set
 * (shared by every instance), else in the process.
 */
export interface RateLimitConfig {
  perUserPerMinute: number;
  perAddressPerMinute: number;
  authFailuresPerMinute: number;
  redisUrl?: string;
  /** Prepended to every counter key, so apps sharing a Redis keep apart. */
  keyPrefix: string;
}

export const DEFAULT_RATE_LIMITS = {
  perUserPerMinute: 600,
  perAddressPerMinute: 1200,
  authFailuresPerMinute: 200,
  keyPrefix: 'users-organizations:rate-limit:',
} as const;

/** GET /metrics: on the app's port, or on a port of its own when `port` is set. */
export interface MetricsConfig {
  enabled: boolean;
  port?: number;
}

/**
 * What the purge deletes, and when: audit rows older than `auditDays` (0 keeps them forever),
 * on the cron `schedule` (null: only by `npm run purge`).
 */
export interface RetentionConfig {
  auditDays: number;
  schedule: string | null;
}

/** Hourly, off the full hour, when other jobs of a machine tend to run. */
export const DEFAULT_RETENTION_SCHEDULE = '17 * * * *';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

/** The app's typed configuration, built once from the environment and injected everywhere. */
export class AppConfig {
  readonly env!: 'development' | 'production' | 'test';
  readonly port!: number;
  readonly database!: DatabaseConfig;
  /** True when DATABASE_URL is unset: the embedded database gets the demo data when empty. */
  readonly embedded!: boolean;
  readonly migrationsRun!: boolean;
  /**
   * How many times the app tries a database that refuses its credentials or does not know the
   * database before it exits; an unreachable server is retried for ever.
   */
  readonly databaseConnectAttempts!: number;
  readonly bearer!: BearerVerification;
  readonly issuer?: string;
  readonly audience?: string;
  /** Every trusted issuer beside the default one, and the `svc` plane (DESIGN 5, 13). */
  readonly auth!: AuthConfig;
  readonly sessionSecret!: string;
  readonly sessionTtlSeconds!: number;
  /** Names of the variables that fell back to development secrets, for the start-up warning. */
  readonly developmentSecrets!: string[];
  readonly logLevel!: LogLevel;
  /** `text`: lines a person reads (development); `json`: one object per line (the rest). */
  readonly logFormat!: 'json' | 'text';
  /**
   * Whether lines the app writes while serving a request carry its id (an AsyncLocalStorage
   * around the request). The request's own completion line always does.
   */
  readonly logRequestContext!: boolean;
  /** Express's `trust proxy`: which X-Forwarded-For entries name the client. */
  readonly trustProxy!: TrustProxy;
  readonly rateLimit!: RateLimitConfig;
  /** Where an invitee accepts: a URL template holding `{token}`; unset, no URL is given. */
  readonly invitationAcceptUrl?: string;
  /** Where clients reach the API (PUBLIC_BASE_URL; outside production, localhost:PORT). */
  readonly publicBaseUrl!: string;
  readonly metrics!: MetricsConfig;
  readonly retention!: RetentionConfig;
  /** Webhooks and the NATS broker (DESIGN 11). */
  readonly events!: EventsConfig;

  constructor(values: AppConfig) {
    Object.assign(this, values);
  }
}

/**
 * The default of LOG_REQUEST_CONTEXT. From Node 24 on, AsyncLocalStorage keeps its context in
 * V8's continuation data (AsyncContextFrame) at no cost per promise; before, it installs promise
 * hooks that run JavaScript at every promise the process makes: on Node 20 that cost the PATCH
 * 14% of its throughput (npm run bench, 4 rounds with and without it in one run).
 */
export function asyncContextIsCheap(nodeVersion: string): boolean {
  return Number(nodeVersion.split('.')[0]) >= 24;
}

/** Reads and validates the environment; throws a ConfigError naming every bad value. */
export function loadConfig(env: Record<string, string | undefined>): AppConfig {
  const { variables, problems } = validateEnvironment(env);
  const nodeEnv = variables.NODE_ENV ?? 'development';
  const production = nodeEnv === 'production';
  const developmentSecrets: string[] = [];

  if (variables.AUTH_JWT_SECRET && variables.AUTH_JWKS_URI) {
    problems.push(
      'Set either AUTH_JWT_SECRET (HS256) or AUTH_JWKS_URI (RS256/ES256), not both: one algorithm family is pinned',
    );
  }
  let bearerSecret = variables.AUTH_JWT_SECRET;
  if (!bearerSecret && !variables.AUTH_JWKS_URI) {
    if (production) problems.push('AUTH_JWT_SECRET or AUTH_JWKS_URI is required in production');
    bearerSecret = DEVELOPMENT_BEARER_SECRET;
    developmentSecrets.push('AUTH_JWT_SECRET');
  }
  let sessionSecret = variables.SESSION_TOKEN_SECRET;
  if (!sessionSecret) {
    if (production) problems.push('SESSION_TOKEN_SECRET is required in production');
    sessionSecret = DEVELOPMENT_SESSION_SECRET;
    developmentSecrets.push('SESSION_TOKEN_SECRET');
  }
  if (production) {
    const secrets: [string, string | undefined][] = [
      ['AUTH_JWT_SECRET', variables.AUTH_JWT_SECRET],
      ['SESSION_TOKEN_SECRET', variables.SESSION_TOKEN_SECRET],
    ];
    for (const [name, value] of secrets) {
      if (value === undefined) continue;
      if (value === DEVELOPMENT_BEARER_SECRET || value === DEVELOPMENT_SESSION_SECRET) {
        problems.push(`${name} must not be a development secret in production`);
      } else if (Buffer.byteLength(value) < MINIMUM_SECRET_BYTES) {
        problems.push(`${name} must be at least ${MINIMUM_SECRET_BYTES} bytes in production`);
      }
    }
    if (variables.AUTH_JWKS_URI && !variables.AUTH_JWKS_URI.startsWith('https://')) {
      problems.push('AUTH_JWKS_URI must use https in production');
    }
  }
  if (production && variables.DATABASE_URL === undefined) {
    problems.push(
      'DATABASE_URL is required in production (an embedded database must be named: DATABASE_URL=sqlite:/path/to/file.sqlite)',
    );
  }
  if (bearerSecret !== undefined && bearerSecret === sessionSecret) {
    problems.push('AUTH_JWT_SECRET and SESSION_TOKEN_SECRET must differ');
  }
  if (
    variables.METRICS_PORT !== undefined &&
    variables.METRICS_PORT === (variables.PORT ?? DEFAULT_PORT)
  ) {
    problems.push('METRICS_PORT must differ from PORT (leave it unset to serve /metrics on PORT)');
  }
  const events = loadEventsConfig(variables, production, problems);
  const auth = loadAuthConfig(variables, production, problems);
  if (production && auth.services !== null && variables.PUBLIC_BASE_URL === undefined) {
    problems.push(
      "PUBLIC_BASE_URL is required in production with the svc plane: the decision point's metadata names its endpoints by it, never by the request's Host",
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const url = variables.DATABASE_URL;
  const defaultIssuer = auth.defaultIssuer;
  const database: DatabaseConfig =
    url === undefined
      ? { type: 'better-sqlite3', path: DEFAULT_SQLITE_PATH, defaultIssuer }
      : url.startsWith('sqlite:')
        ? { type: 'better-sqlite3', path: url.slice('sqlite:'.length), defaultIssuer }
        : {
            type: 'mysql',
            defaultIssuer,
            url,
            poolSize: variables.DATABASE_POOL_SIZE ?? 10,
            statementTimeoutMs:
              variables.DATABASE_STATEMENT_TIMEOUT_MS ??
              DEFAULT_DATABASE_DEADLINES.statementTimeoutMs,
            poolTimeoutMs:
              variables.DATABASE_POOL_TIMEOUT_MS ?? DEFAULT_DATABASE_DEADLINES.poolTimeoutMs,
          };

  return new AppConfig({
    env: nodeEnv,
    port: variables.PORT ?? DEFAULT_PORT,
    database,
    embedded: url === undefined,
    migrationsRun: variables.DATABASE_MIGRATIONS_RUN !== 'false',
    databaseConnectAttempts:
      variables.DATABASE_CONNECT_ATTEMPTS ?? DEFAULT_DATABASE_CONNECT_ATTEMPTS,
    bearer: variables.AUTH_JWKS_URI
      ? {
          kind: 'jwks',
          algorithms: ['RS256', 'ES256'],
          jwksUri: variables.AUTH_JWKS_URI,
          refetchIntervalSeconds:
            variables.AUTH_JWKS_REFETCH_INTERVAL_SECONDS ?? DEFAULT_JWKS_REFETCH_INTERVAL_SECONDS,
        }
      : { kind: 'secret', algorithms: ['HS256'], secret: bearerSecret as string },
    issuer: variables.AUTH_JWT_ISSUER,
    audience: variables.AUTH_JWT_AUDIENCE,
    auth,
    sessionSecret,
    sessionTtlSeconds: variables.SESSION_TTL_SECONDS ?? 86400,
    developmentSecrets,
    logLevel: variables.LOG_LEVEL ?? 'info',
    logFormat: variables.LOG_FORMAT ?? (nodeEnv === 'development' ? 'text' : 'json'),
    logRequestContext:
      variables.LOG_REQUEST_CONTEXT === undefined
        ? asyncContextIsCheap(process.versions.node)
        : variables.LOG_REQUEST_CONTEXT === 'true',
    trustProxy: parseTrustProxy(variables.TRUST_PROXY ?? 'false') ?? false,
    rateLimit: {
      perUserPerMinute:
        variables.RATE_LIMIT_PER_USER_PER_MINUTE ?? DEFAULT_RATE_LIMITS.perUserPerMinute,
      perAddressPerMinute:
        variables.RATE_LIMIT_PER_ADDRESS_PER_MINUTE ?? DEFAULT_RATE_LIMITS.perAddressPerMinute,
      authFailuresPerMinute:
        variables.RATE_LIMIT_AUTH_FAILURES_PER_MINUTE ?? DEFAULT_RATE_LIMITS.authFailuresPerMinute,
      redisUrl: variables.REDIS_URL,
      keyPrefix: variables.RATE_LIMIT_KEY_PREFIX ?? DEFAULT_RATE_LIMITS.keyPrefix,
    },
    invitationAcceptUrl: variables.INVITATION_ACCEPT_URL,
    publicBaseUrl: (
      variables.PUBLIC_BASE_URL ?? `http://localhost:${variables.PORT ?? DEFAULT_PORT}`
    ).replace(/\/+$/, ''),
    metrics: { enabled: variables.METRICS_ENABLED !== 'false', port: variables.METRICS_PORT },
    retention: {
      auditDays: variables.AUDIT_RETENTION_DAYS ?? 0,
      schedule:
        variables.RETENTION_SCHEDULE === 'off'
          ? null
          : (variables.RETENTION_SCHEDULE ?? DEFAULT_RETENTION_SCHEDULE),
    },
    events,
  });
}
