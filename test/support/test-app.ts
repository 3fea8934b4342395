import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { DataSource } from 'typeorm';
import { createApp, CreateAppOptions } from '../../src/create-app';
import { AppConfig, loadConfig } from '../../src/config/app-config';
import { seedDemoData } from '../../src/demo/seed-demo';
import { createTestDatabase, Engine, TestDatabase } from './databases';
import { LOG_GUARD } from './log-guard';
import { bearerToken, TEST_BEARER_SECRET, TEST_SESSION_SECRET } from './tokens';

/** Rate limits switched off (0 = no limit): suites that are not about them send many requests. */
export const NO_RATE_LIMITS: Record<string, string> = {
  RATE_LIMIT_PER_USER_PER_MINUTE: '0',
  RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '0',
  RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '0',
};

export interface TestApp {
  engine: Engine;
  app: NestExpressApplication;
  config: AppConfig;
  dataSource: DataSource;
  http: () => TestAgent;
  /** Both tokens of a fresh session, as request headers. */
  login(subject: string, organizationId: number): Promise<Record<string, string>>;
  close(): Promise<void>;
}

export interface TestAppOptions extends CreateAppOptions {
  /** Extra environment variables, e.g. AUTH_JWKS_URI or AUTH_JWT_ISSUER. */
  env?: Record<string, string | undefined>;
  /** An existing database (another app instance's); else a new one is created and dropped. */
  databaseUrl?: string;
  /** Load DESIGN section 9's demo data (default true). */
  demo?: boolean;
}

export function testConfig(databaseUrl: string, env: Record<string, string | undefined> = {}) {
  return loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    AUTH_JWT_SECRET: TEST_BEARER_SECRET,
    SESSION_TOKEN_SECRET: TEST_SESSION_SECRET,
    ...env,
  });
}

/**
 * Apps alive in this test file. A second one in the process (two instances on one database, as
 * the multi-instance tests run them) makes @nestjs/typeorm 12's process-wide registry of data
 * source names warn: each app still has its own data source, which one app per process (any
 * deployment) never shares.
 */
let liveApps = 0;
const SECOND_APP_IN_PROCESS =
  /DataSourceNameRegistry: A data source with the default name is already registered/;

/** Boots the real AppModule, as main.ts does, on a real database of the given engine. */
export async function startTestApp(engine: Engine, options: TestAppOptions = {}): Promise<TestApp> {
  const database: TestDatabase | null = options.databaseUrl
    ? null
    : await createTestDatabase(engine);
  // Unless the test reads the log itself, the app logs into the guard, which fails a test on a
  // warn or error line it did not declare (LOG_GUARD.allow / expect).
  const guarded = !('logger' in options) && !('logDestination' in options);
  const config = testConfig(options.databaseUrl ?? (database as TestDatabase).url, {
    ...(guarded ? { LOG_LEVEL: 'warn' } : {}),
    ...options.env,
  });
  if (liveApps > 0) LOG_GUARD.allowInFile(SECOND_APP_IN_PROCESS);
  const app = await createApp(
    config,
    guarded
      ? { ...options, logger: undefined, logDestination: LOG_GUARD.stream }
      : { logger: false, ...options },
  );
  await app.init();
  liveApps++;
  const dataSource = app.get(DataSource);
  if (options.demo !== false) await seedDemoData(dataSource, config.auth.defaultIssuer);
  const http = () => request(app.getHttpServer());
  return {
    engine,
    app,
    config,
    dataSource,
    http,
    async login(subject, organizationId) {
      const bearer = bearerToken(subject);
      const response = await http()
        .post('/users-organizations/v1/rs/sessions')
        .set('Authorization', `Bearer ${bearer}`)
        .send({ organizationId })
        .expect(201);
      return {
        Authorization: `Bearer ${bearer}`,
        'x-session-token': (response.body as { data: { sessionToken: string } }).data.sessionToken,
      };
    },
    async close() {
      try {
        await app.close();
      } finally {
        liveApps--;
        await database?.drop();
      }
      if (guarded) LOG_GUARD.checkLines('while the app ran or closed');
    },
  };
}

/**
 * Another instance of the app on the same database as `t`, as a second replica behind a
 * balancer would be (no demo data loaded twice). Closing it leaves the database to `t`.
 */
export function secondInstance(t: TestApp, options: TestAppOptions = {}): Promise<TestApp> {
  const { database } = t.config;
  return startTestApp(t.engine, {
    ...options,
    databaseUrl: database.type === 'mysql' ? database.url : `sqlite:${database.path}`,
    demo: false,
  });
}
