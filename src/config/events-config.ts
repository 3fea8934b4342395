import type { EnvironmentVariables } from './environment';

/** DESIGN 11's schedule: about a day of retries after the first attempt. */
export const DEFAULT_WEBHOOK_RETRY_SCHEDULE_SECONDS = [5, 30, 120, 600, 3600, 21600, 43200];
const LONGEST_RETRY_DELAY_SECONDS = 7 * 24 * 3600;

export const DEFAULT_NATS_SUBJECT_PREFIX = 'users-organizations.events';
export const DEFAULT_NATS_STREAM = 'USERS_ORGANIZATIONS_EVENTS';

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
  /**
   * How often the relay's lease holder looks at the outbox when nothing woke it. A commit on
   * the holder wakes it at once; one on another instance wakes it through Redis or NATS when
   * either is configured (the poll is then a safety net), else this poll finds it.
   */
  relayPollMs: number;
}

/** With neither Redis nor NATS, the poll is what brings other instances' commits: kept short. */
export const RELAY_POLL_MS_ALONE = 25;
/** With a wake channel, the poll only covers a lost wake-up. */
export const RELAY_POLL_MS_WOKEN = 1000;

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
      // Outside production a developer's local receiver works at once (DESIGN 11).
      allowPrivateNetworks:
        variables.WEBHOOK_ALLOW_PRIVATE_NETWORKS === undefined
          ? !production
          : variables.WEBHOOK_ALLOW_PRIVATE_NETWORKS === 'true',
      requireHttps: production,
    },
    relayPollMs:
      variables.EVENTS_RELAY_POLL_MS ??
      (variables.REDIS_URL !== undefined || variables.EVENTS_NATS_URL !== undefined
        ? RELAY_POLL_MS_WOKEN
        : RELAY_POLL_MS_ALONE),
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
