import { plainToInstance, Transform } from 'class-transformer';
import { validateCronExpression } from 'cron';
import {
  IsBooleanString,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  isURL,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateBy,
  validateSync,
} from 'class-validator';
import { EVENT_VARIABLES } from './event-variables';
import { IdentityVariables } from './identity-variables';
import { parseTrustProxy } from './trust-proxy';

export { parseTrustProxy, type TrustProxy } from './trust-proxy';

const toInteger = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;

/** Every variable the app reads; nothing else in the environment is looked at. */
export const ENVIRONMENT_VARIABLE_NAMES = [
  'NODE_ENV',
  'PORT',
  'DATABASE_URL',
  'DATABASE_MIGRATIONS_RUN',
  'DATABASE_POOL_SIZE',
  'DATABASE_STATEMENT_TIMEOUT_MS',
  'DATABASE_POOL_TIMEOUT_MS',
  'DATABASE_CONNECT_ATTEMPTS',
  'AUTH_JWT_SECRET',
  'AUTH_JWKS_URI',
  'AUTH_JWKS_REFETCH_INTERVAL_SECONDS',
  'AUTH_JWT_ISSUER',
  'AUTH_JWT_AUDIENCE',
  'AUTH_ISSUERS',
  'AUTH_SERVICE_AUDIENCE',
  'AUTH_MFA_ACR_VALUES',
  'SERVICE_CLIENTS',
  'SESSION_TOKEN_SECRET',
  'SESSION_TTL_SECONDS',
  'ERASURE_MAX_AUTH_AGE_SECONDS',
  'LOG_LEVEL',
  'LOG_REQUEST_CONTEXT',
  'LOG_FORMAT',
  'TRUST_PROXY',
  'REDIS_URL',
  'RATE_LIMIT_PER_USER_PER_MINUTE',
  'RATE_LIMIT_PER_ADDRESS_PER_MINUTE',
  'RATE_LIMIT_AUTH_FAILURES_PER_MINUTE',
  'RATE_LIMIT_KEY_PREFIX',
  'INVITATION_ACCEPT_URL',
  'PUBLIC_BASE_URL',
  'METRICS_ENABLED',
  'METRICS_PORT',
  'AUDIT_RETENTION_DAYS',
  'RETENTION_SCHEDULE',
  'WEBHOOK_RETRY_SCHEDULE_SECONDS',
  'WEBHOOK_TIMEOUT_MS',
  'WEBHOOK_ALLOW_PRIVATE_NETWORKS',
  'EVENTS_NATS_URL',
  'EVENTS_NATS_SUBJECT_PREFIX',
  'EVENTS_NATS_STREAM',
  'EVENTS_RELAY_POLL_MS',
] as const;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * An optional integer variable between `min` and `max`, given as decimal digits; one message,
 * naming the variable and its range, for every way it can be wrong.
 */
function IntegerVariable(min: number, max: number, lowest = String(min)): PropertyDecorator {
  return (target, property) => {
    const message = `${String(property)} must be an integer between ${lowest} and ${max}`;
    const rules = [
      IsOptional(),
      Transform(toInteger),
      IsInt({ message }),
      Min(min, { message }),
      Max(max, { message }),
    ];
    for (const rule of rules) rule(target, property);
  };
}

/** An optional variable matching a pattern, with the message naming it and its form. */
function PatternVariable(rule: { pattern: RegExp; message: string }): PropertyDecorator {
  return (target, property) => {
    IsOptional()(target, property);
    Matches(rule.pattern, { message: rule.message })(target, property);
  };
}

/** The environment variables the app reads, with their rules. */
export class EnvironmentVariables extends IdentityVariables {
  @IsOptional()
  @IsIn(['development', 'production', 'test'], {
    message: 'NODE_ENV must be one of development, production, test',
  })
  NODE_ENV?: 'development' | 'production' | 'test';

  @IntegerVariable(0, 65535)
  PORT?: number;

  @IsOptional()
  @Matches(/^(mysql|mariadb):\/\/[^/\s]+\/[A-Za-z0-9_$-]+(\?.*)?$|^sqlite:.+$/, {
    message:
      'DATABASE_URL must look like mysql://user:password@host:3306/database (mysql://root@127.0.0.1:3306/database without a password), or sqlite:path/to/file.sqlite',
  })
  DATABASE_URL?: string;

  @IsOptional()
  @IsBooleanString({ message: 'DATABASE_MIGRATIONS_RUN must be true or false' })
  DATABASE_MIGRATIONS_RUN?: string;

  @IntegerVariable(1, 200)
  DATABASE_POOL_SIZE?: number;

  @IntegerVariable(100, 60000)
  DATABASE_STATEMENT_TIMEOUT_MS?: number;

  @IntegerVariable(100, 60000)
  DATABASE_POOL_TIMEOUT_MS?: number;

  @IntegerVariable(1, 1000)
  DATABASE_CONNECT_ATTEMPTS?: number;

  @IsOptional()
  @IsString()
  @MinLength(1, { message: 'AUTH_JWT_SECRET must not be empty when set' })
  AUTH_JWT_SECRET?: string;

  @IsOptional()
  @IsUrl(
    { protocols: ['http', 'https'], require_tld: false, require_protocol: true },
    { message: 'AUTH_JWKS_URI must be an http(s) URL' },
  )
  AUTH_JWKS_URI?: string;

  @IntegerVariable(1, 3600)
  AUTH_JWKS_REFETCH_INTERVAL_SECONDS?: number;

  @IsOptional()
  @IsString()
  @MinLength(1, { message: 'SESSION_TOKEN_SECRET must not be empty when set' })
  SESSION_TOKEN_SECRET?: string;

  @IntegerVariable(60, 2592000)
  SESSION_TTL_SECONDS?: number;

  /** How recent a sign-in erasing oneself needs (DESIGN 15, RFC 9470's max_age). */
  @IntegerVariable(30, 86400)
  ERASURE_MAX_AUTH_AGE_SECONDS?: number;

  @IsOptional()
  @IsIn(LOG_LEVELS, { message: `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}` })
  LOG_LEVEL?: LogLevel;

  @IsOptional()
  @IsBooleanString({ message: 'LOG_REQUEST_CONTEXT must be true or false' })
  LOG_REQUEST_CONTEXT?: string;

  @IsOptional()
  @IsIn(['json', 'text'], { message: 'LOG_FORMAT must be json or text' })
  LOG_FORMAT?: 'json' | 'text';

  @IsOptional()
  @ValidateBy({
    name: 'isTrustProxy',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && parseTrustProxy(value) !== null,
      defaultMessage: () =>
        'TRUST_PROXY must be false, true, a number of proxy hops, or a comma-separated list of proxy addresses, subnets, loopback, linklocal or uniquelocal',
    },
  })
  TRUST_PROXY?: string;

  @IsOptional()
  @IsUrl(
    { protocols: ['redis', 'rediss'], require_tld: false, require_protocol: true },
    { message: 'REDIS_URL must look like redis://host:6379 (or rediss:// for TLS)' },
  )
  REDIS_URL?: string;

  @IntegerVariable(0, 1000000, '0 (no limit)')
  RATE_LIMIT_PER_USER_PER_MINUTE?: number;

  @IntegerVariable(0, 1000000, '0 (no limit)')
  RATE_LIMIT_PER_ADDRESS_PER_MINUTE?: number;

  @IntegerVariable(0, 1000000, '0 (no limit)')
  RATE_LIMIT_AUTH_FAILURES_PER_MINUTE?: number;

  @IsOptional()
  @Matches(/^[A-Za-z0-9:_.-]{1,100}$/, {
    message: 'RATE_LIMIT_KEY_PREFIX must be 1 to 100 letters, digits or : _ . -',
  })
  RATE_LIMIT_KEY_PREFIX?: string;

  @IsOptional()
  @ValidateBy({
    name: 'isAcceptUrlTemplate',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'string' &&
        value.includes('{token}') &&
        isURL(value.replace('{token}', 'token'), {
          protocols: ['http', 'https'],
          require_tld: false,
          require_protocol: true,
        }),
      defaultMessage: () =>
        'INVITATION_ACCEPT_URL must be an http(s) URL holding {token}, e.g. https://app.example/join?token={token}',
    },
  })
  INVITATION_ACCEPT_URL?: string;

  @IsOptional()
  @IsBooleanString({ message: 'METRICS_ENABLED must be true or false' })
  METRICS_ENABLED?: string;

  @IntegerVariable(1, 65535)
  METRICS_PORT?: number;

  @IntegerVariable(0, 36500, '0 (keep forever)')
  AUDIT_RETENTION_DAYS?: number;

  @IsOptional()
  @ValidateBy({
    name: 'isRetentionSchedule',
    validator: {
      validate: (value: unknown) =>
        value === 'off' || (typeof value === 'string' && validateCronExpression(value).valid),
      defaultMessage: () =>
        'RETENTION_SCHEDULE must be a cron expression (e.g. "17 * * * *", minute first; a leading seconds field is allowed) or off',
    },
  })
  RETENTION_SCHEDULE?: string;

  @PatternVariable(EVENT_VARIABLES.WEBHOOK_RETRY_SCHEDULE_SECONDS)
  WEBHOOK_RETRY_SCHEDULE_SECONDS?: string;

  @IntegerVariable(100, 120000)
  WEBHOOK_TIMEOUT_MS?: number;

  @PatternVariable(EVENT_VARIABLES.WEBHOOK_ALLOW_PRIVATE_NETWORKS)
  WEBHOOK_ALLOW_PRIVATE_NETWORKS?: string;

  @PatternVariable(EVENT_VARIABLES.EVENTS_NATS_URL)
  EVENTS_NATS_URL?: string;

  @PatternVariable(EVENT_VARIABLES.EVENTS_NATS_SUBJECT_PREFIX)
  EVENTS_NATS_SUBJECT_PREFIX?: string;

  @PatternVariable(EVENT_VARIABLES.EVENTS_NATS_STREAM)
  EVENTS_NATS_STREAM?: string;

  @IntegerVariable(5, 600000)
  EVENTS_RELAY_POLL_MS?: number;
}

/** Validates the raw environment; returns the typed variables and one message per bad value. */
export function validateEnvironment(env: Record<string, string | undefined>): {
  variables: EnvironmentVariables;
  problems: string[];
} {
  const relevant: Record<string, string> = {};
  for (const key of ENVIRONMENT_VARIABLE_NAMES) {
    const value = env[key];
    if (value !== undefined && value !== '') relevant[key] = value;
  }
  const variables = plainToInstance(EnvironmentVariables, relevant);
  const problems = validateSync(variables, { forbidUnknownValues: true }).flatMap((error) =>
    Object.values(error.constraints ?? {}),
  );
  return { variables, problems: [...new Set(problems)] };
}
