import { ConfigError, loadConfig } from './app-config';
import {
  DEFAULT_NATS_STREAM,
  DEFAULT_NATS_SUBJECT_PREFIX,
  DEFAULT_WEBHOOK_RETRY_SCHEDULE_SECONDS,
  RELAY_POLL_MS_ALONE,
  RELAY_POLL_MS_WOKEN,
} from './events-config';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('events settings (webhooks, NATS)', () => {
  it('defaults: DESIGN 11 schedule, 10 s, private networks allowed outside production, no broker', () => {
    expect(loadConfig({}).events).toEqual({
      webhooks: {
        retryScheduleSeconds: DEFAULT_WEBHOOK_RETRY_SCHEDULE_SECONDS,
        timeoutMs: 10_000,
        allowPrivateNetworks: true,
        requireHttps: false,
      },
      nats: null,
      relayPollMs: RELAY_POLL_MS_ALONE,
    });
    expect(DEFAULT_WEBHOOK_RETRY_SCHEDULE_SECONDS).toEqual([5, 30, 120, 600, 3600, 21600, 43200]);
  });

  it('reads every variable', () => {
    const config = loadConfig({
      WEBHOOK_RETRY_SCHEDULE_SECONDS: '0.2,1,30',
      WEBHOOK_TIMEOUT_MS: '2500',
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
      EVENTS_NATS_URL: 'nats://127.0.0.1:4222,tls://nats.internal:4443',
      EVENTS_NATS_SUBJECT_PREFIX: 'care.staging',
      EVENTS_NATS_STREAM: 'CARE_STAGING',
      EVENTS_RELAY_POLL_MS: '60000',
    });
    expect(config.events).toEqual({
      webhooks: {
        retryScheduleSeconds: [0.2, 1, 30],
        timeoutMs: 2500,
        allowPrivateNetworks: true,
        requireHttps: false,
      },
      nats: {
        servers: ['nats://127.0.0.1:4222', 'tls://nats.internal:4443'],
        subjectPrefix: 'care.staging',
        stream: 'CARE_STAGING',
      },
      relayPollMs: 60000,
    });
    expect(loadConfig({ EVENTS_NATS_URL: 'nats://n:4222' }).events.nats).toEqual({
      servers: ['nats://n:4222'],
      subjectPrefix: DEFAULT_NATS_SUBJECT_PREFIX,
      stream: DEFAULT_NATS_STREAM,
    });
  });

  it('polls the outbox briefly without a wake channel, rarely with Redis or NATS', () => {
    expect(RELAY_POLL_MS_ALONE).toBeLessThanOrEqual(50);
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' }).events.relayPollMs).toBe(
      RELAY_POLL_MS_WOKEN,
    );
    expect(loadConfig({ EVENTS_NATS_URL: 'nats://n:4222' }).events.relayPollMs).toBe(
      RELAY_POLL_MS_WOKEN,
    );
  });

  it('wants https endpoints in production', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      DATABASE_URL: 'sqlite:/tmp/x.sqlite',
      AUTH_JWT_SECRET: 'a-production-bearer-secret-of-enough-bytes-0001',
      SESSION_TOKEN_SECRET: 'a-production-session-secret-of-enough-bytes-002',
      AUTH_JWT_ISSUER: 'https://idp.example',
      AUTH_JWT_AUDIENCE: 'users-organizations',
    });
    expect(config.events.webhooks.requireHttps).toBe(true);
    expect(config.events.webhooks.allowPrivateNetworks).toBe(false);
  });

  it.each([
    ['WEBHOOK_RETRY_SCHEDULE_SECONDS', '5,,30', /comma-separated list/],
    ['WEBHOOK_RETRY_SCHEDULE_SECONDS', '5 30', /comma-separated list/],
    ['WEBHOOK_RETRY_SCHEDULE_SECONDS', '-1', /comma-separated list/],
    ['WEBHOOK_RETRY_SCHEDULE_SECONDS', Array(21).fill('1').join(','), /1 to 20 delays/],
    ['WEBHOOK_RETRY_SCHEDULE_SECONDS', '700000', /at most 604800 seconds/],
    ['WEBHOOK_TIMEOUT_MS', '50', /between 100 and 120000/],
    ['WEBHOOK_ALLOW_PRIVATE_NETWORKS', 'yes', /true or false/],
    ['EVENTS_NATS_URL', 'http://127.0.0.1:4222', /nats:\/\/host:port/],
    ['EVENTS_NATS_SUBJECT_PREFIX', 'bad prefix', /dot-separated tokens/],
    ['EVENTS_NATS_SUBJECT_PREFIX', 'events.>', /dot-separated tokens/],
    ['EVENTS_NATS_STREAM', 'has.dot', /letters, digits/],
    ['EVENTS_RELAY_POLL_MS', '1', /between 5 and 600000/],
  ])('names %s=%s', (name, value, message) => {
    const problems = problemsOf({ [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
    expect(problems[0]).toContain(name);
  });
});
