import type { EnvironmentVariables } from './environment';

/** DESIGN 11's schedule: about a day of retries after the first attempt. */
export const DEFAULT_WEBHOOK_RETRY_SCHEDULE_SECONDS = [5, 30, 120, 600, 3600, 21600, 43200];
const LONGEST_RETRY_DELAY_SECONDS = 7 * 24 * 3600;

export const DEFAULT_NATS_SUBJECT_PREFIX = 'users-organizations.events';
export const DEFAULT_NATS_STREAM = 'USERS_ORGANIZATIONS_EVENTS';

/** The form of each events variable (validated at start with the others). */
export const EVENT_VARIABLES = {
  // Delays of up to a week, with up to 3 decimals (tests retry within a second).
  WEBHOOK_RETRY_SCHEDULE_SECONDS: {
    pattern: /^(?=[^,]*(,[^,]*){0,19}$)\d{1,6}(\.\d{1,3})?(,\d{1,6}(\.\d{1,3})?)*$/,
    message:
      'WEBHOOK_RETRY_SCHEDULE_SECONDS must be a comma-separated list of 1 to 20 delays in seconds (at most 604800 each), e.g. 5,30,120',
  },
  WEBHOOK_ALLOW_PRIVATE_NETWORKS: {
    pattern: /^(true|false)$/,
    message: 'WEBHOOK_ALLOW_PRIVATE_NETWORKS must be true or false',
  },
  EVENTS_NATS_URL: {
    pattern: /^(nats|tls):\/\/[^\s,/]+(,(nats|tls):\/\/[^\s,/]+)*$/,
    message:
      'EVENTS_NATS_URL must be one or more comma-separated nats://host:port (or tls://) addresses',
  },
  EVENTS_NATS_SUBJECT_PREFIX: {
    pattern: /^[A-Za-z0-9_-]{1,64}(\.[A-Za-z0-9_-]{1,64}){0,7}$/,
    message:
      'EVENTS_NATS_SUBJECT_PREFIX must be 1 to 8 dot-separated tokens of letters, digits, _ or -',
  },
  EVENTS_NATS_STREAM: {
    pattern: /^[A-Za-z0-9_-]{1,64}$/,
    message: 'EVENTS_NATS_STREAM must be 1 to 64 letters, digits, _ or -',
  },
};

export interface WebhooksConfig {
  /** Delays before the 2nd, 3rd, ... attempt; after the last one fails, the delivery fails. */
  retryScheduleSeconds: number[];
  timeoutMs: number;
  /** Lifts the address rule (loopback, private, link-local, metadata) for tests. */
  allowPrivateNetworks: boolean;
  /** Production: endpoints must be https. */
  requireHttps: boolean;
}

/** JetStream publishing, only when a NATS URL is configured. */
export interface NatsConfig {
  servers: string[];
  subjectPrefix: string;
  stream: string;
}

export interface EventsConfig {
  webhooks: WebhooksConfig;
  nats: NatsConfig | null;
}

/** The events' settings, from variables `validateEnvironment` checked; adds cross-field problems. */
export function loadEventsConfig(
  variables: EnvironmentVariables,
  production: boolean,
  problems: string[],
): EventsConfig {
  const schedule =
    variables.WEBHOOK_RETRY_SCHEDULE_SECONDS?.split(',').map(Number) ??
    DEFAULT_WEBHOOK_RETRY_SCHEDULE_SECONDS;
  if (schedule.some((delay) => delay > LONGEST_RETRY_DELAY_SECONDS)) {
    problems.push(
      `WEBHOOK_RETRY_SCHEDULE_SECONDS delays must be at most ${LONGEST_RETRY_DELAY_SECONDS} seconds`,
    );
  }
  return {
    webhooks: {
      retryScheduleSeconds: schedule,
      timeoutMs: variables.WEBHOOK_TIMEOUT_MS ?? 10_000,
      allowPrivateNetworks: variables.WEBHOOK_ALLOW_PRIVATE_NETWORKS === 'true',
      requireHttps: production,
    },
    nats:
      variables.EVENTS_NATS_URL === undefined
        ? null
        : {
            servers: variables.EVENTS_NATS_URL.split(','),
            subjectPrefix: variables.EVENTS_NATS_SUBJECT_PREFIX ?? DEFAULT_NATS_SUBJECT_PREFIX,
            stream: variables.EVENTS_NATS_STREAM ?? DEFAULT_NATS_STREAM,
          },
  };
}
