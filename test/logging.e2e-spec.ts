import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller, Get, Logger, Module } from '@nestjs/common';
import { __resetOutOfContextForTests } from 'nestjs-pino/PinoLogger';
import type { Response } from 'supertest';
import { DEVELOPMENT_BEARER_SECRET, DEVELOPMENT_SESSION_SECRET } from '../src/config/app-config';
import { cleanEnv, freePort, killAllProcesses, NodeProcess, REPO_ROOT } from './support/processes';
import { startTestApp, TestApp } from './support/test-app';
import {
  bearerToken,
  PRODUCTION_IDENTITY,
  TEST_BEARER_SECRET,
  TEST_SESSION_SECRET,
} from './support/tokens';

// Structured logs (issue 4 part 6): JSON lines from nestjs-pino, read back through the test hook
// `logDestination`. Logging does not depend on the database engine: MariaDB only.
const ME = '/users-organizations/v1/rs/users/me';
const SESSIONS = '/users-organizations/v1/rs/sessions';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Values the probe route logs under secret-looking names: none may reach the log. */
const PROBE_SECRETS = {
  token: 'probe-top-level-token-4f1c',
  sessionToken: 'probe-session-token-77aa',
  password: 'probe-password-93bd',
  nested: { secret: 'probe-nested-secret-0e21', accessToken: 'probe-access-token-c3d4' },
};

/** Another team's route, logging through Nest's Logger while it serves a request. */
@Controller('logging-probe')
class LoggingProbeController {
  private readonly logger = new Logger('LoggingProbe');

  @Get()
  probe(): { logged: true } {
    this.logger.log({ ...PROBE_SECRETS, msg: 'probe reached', harmless: 'visible-value' });
    return { logged: true };
  }

  @Get('failure')
  fail(): never {
    throw new Error('probe failed');
  }
}

@Module({ controllers: [LoggingProbeController] })
class LoggingProbeModule {}

interface LogLine {
  level: string;
  time: string;
  msg: string;
  requestId?: string;
  context?: string;
  req?: { method: string; url: string; headers: Record<string, string> };
  res?: { statusCode: number };
  durationMs?: number;
  [key: string]: unknown;
}

/** A destination that keeps every line pino writes. */
function captureLog() {
  const raw: string[] = [];
  return {
    raw,
    stream: { write: (chunk: string) => void raw.push(chunk) },
    text: () => raw.join(''),
    lines: (): LogLine[] =>
      raw
        .join('')
        .split('\n')
        .filter((line) => line.length > 0)
        .map((line) => JSON.parse(line) as LogLine),
  };
}

function completionLines(lines: LogLine[], requestId: string): LogLine[] {
  return lines.filter((line) => line.requestId === requestId && line.res !== undefined);
}

describe('structured logs (mariadb)', () => {
  const log = captureLog();
  let t: TestApp;
  let headers: Record<string, string>;

  beforeAll(async () => {
    // logger undefined: the app logs as in production, into the captured stream.
    t = await startTestApp('mariadb', {
      logger: undefined,
      logDestination: log.stream,
      extraModules: [LoggingProbeModule],
      // Its default depends on the Node version (off on Node 20): on, whichever runs the tests.
      env: { LOG_REQUEST_CONTEXT: 'true' },
    });
    headers = await t.login('alice', 1);
  });
  afterAll(() => t.close());

  /** The one completion line of a response, checked against the response itself. */
  function completionOf(response: Response): LogLine {
    const requestId = response.headers['x-request-id'];
    expect(typeof requestId).toBe('string');
    const found = completionLines(log.lines(), requestId);
    expect(found).toHaveLength(1);
    const [line] = found;
    expect(line.msg).toBe('request completed');
    expect(line.res?.statusCode).toBe(response.status);
    expect(typeof line.durationMs).toBe('number');
    expect(line.durationMs).toBeGreaterThanOrEqual(0);
    return line;
  }

  it('writes nothing but JSON lines, each with a level, an ISO time and a message', async () => {
    await t.http().get(ME).set(headers).expect(200);
    const lines = log.lines();
    expect(lines.length).toBeGreaterThan(10);
    for (const line of lines) {
      expect(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).toContain(line.level);
      expect(new Date(line.time).toISOString()).toBe(line.time);
      expect(typeof line.msg).toBe('string');
    }
    // Nest's own lines (start-up, routes) go through the same logger.
    expect(lines.some((line) => line.context === 'RoutesResolver')).toBe(true);
  });

  it('logs one completion line per request, with method, path, status, duration and request id', async () => {
    const responses = [
      await t.http().get(ME).set(headers).expect(200),
      await t.http().patch(ME).set(headers).send({ firstName: 'Alicia' }).expect(200),
      await t.http().get(ME).expect(401),
      await t.http().patch(ME).set(headers).set('content-type', 'text/plain').send('x').expect(415),
      await t.http().get('/users-organizations/v1/rs/nothing-here').set(headers).expect(404),
      await t.http().get('/health/live').expect(200),
    ];
    for (const response of responses) {
      const line = completionOf(response);
      expect(line.req?.method).toBe(response.request.method);
      expect(response.request.url).toContain(line.req?.url);
      if (response.status >= 400) {
        // The problem+json body names the same request.
        expect(response.body.requestId).toBe(response.headers['x-request-id']);
      }
    }
  });

  it('logs a request refused by the body parser (413) with its id', async () => {
    const response = await t
      .http()
      .patch(ME)
      .set(headers)
      .set('content-type', 'application/json')
      .send(JSON.stringify({ firstName: 'x'.repeat(20_000) }))
      .expect(413);
    completionOf(response);
  });

  it("marks the app's own lines written during a request with that request's id", async () => {
    const response = await t.http().get('/logging-probe').expect(200);
    const requestId = response.headers['x-request-id'];
    const probe = log.lines().filter((line) => line.msg === 'probe reached');
    expect(probe).toHaveLength(1);
    expect(probe[0]).toMatchObject({
      requestId,
      context: 'LoggingProbe',
      harmless: 'visible-value',
    });
    completionOf(response);
  });

  it('honours a well-formed incoming X-Request-Id in the response, the problem body and the log', async () => {
    const incoming = 'client-req.42:abc_DEF-9';
    const response = await t.http().get(ME).set('X-Request-Id', incoming).expect(401);
    expect(response.headers['x-request-id']).toBe(incoming);
    expect(response.body.requestId).toBe(incoming);
    completionOf(response);
  });

  it.each([
    ['spaces', 'two words'],
    ['too long', 'x'.repeat(129)],
    ['JSON and markup', '"}{<script>'],
    ['percent-encoded line breaks', 'a%0d%0ab'],
  ])('replaces an incoming X-Request-Id with %s by a fresh one', async (_name, incoming) => {
    const response = await t.http().get(ME).set('X-Request-Id', incoming).expect(401);
    const requestId = response.headers['x-request-id'];
    expect(requestId).not.toBe(incoming);
    expect(requestId).toMatch(UUID);
    expect(response.body.requestId).toBe(requestId);
    expect(completionOf(response).requestId).toBe(requestId);
  });

  it('never writes a token or a secret, wherever the client put it', async () => {
    const sessionToken = headers['x-session-token'];
    const bearer = headers.Authorization.replace(/^Bearer /, '');
    const other = bearerToken('bob');
    await t.http().get(ME).set(headers).expect(200);
    await t
      .http()
      .post(SESSIONS)
      .set('Authorization', `Bearer ${other}`)
      .send({ organizationId: 1 });
    await t.http().get(`${ME}?access_token=${other}&token=${sessionToken}&scope=1`).expect(401);
    await t
      .http()
      .get(ME)
      .set('Cookie', `session=${sessionToken}; jwt=${bearer}`)
      .set('Proxy-Authorization', `Bearer ${other}`)
      .expect(401);
    await t.http().get(ME).set('Authorization', `Bearer ${bearer}x`).expect(401);
    await t.http().get('/logging-probe').expect(200);

    const text = log.text();
    const forbidden = [
      bearer,
      other,
      sessionToken,
      // A signature alone is as good as a token to an attacker who can guess the claims.
      ...[bearer, other, sessionToken].map((token) => token.split('.')[2]),
      TEST_BEARER_SECRET,
      TEST_SESSION_SECRET,
      PROBE_SECRETS.token,
      PROBE_SECRETS.sessionToken,
      PROBE_SECRETS.password,
      PROBE_SECRETS.nested.secret,
      PROBE_SECRETS.nested.accessToken,
    ];
    for (const value of forbidden) expect(text).not.toContain(value);
    // Redacted, not dropped: the log still shows which credentials were sent.
    const redacted = log
      .lines()
      .filter((line) => line.req?.headers?.authorization === '[Redacted]');
    expect(redacted.length).toBeGreaterThan(0);
    expect(text).toContain('"x-session-token":"[Redacted]"');
    expect(text).toContain('"cookie":"[Redacted]"');
    expect(text).toContain('scope=1');
  });
});

describe('log levels and silence', () => {
  it('LOG_LEVEL=warn leaves out the lines of requests that went well', async () => {
    const log = captureLog();
    const t = await startTestApp('sqlite', {
      logger: undefined,
      logDestination: log.stream,
      env: { LOG_LEVEL: 'warn' },
    });
    try {
      const response = await t.http().get('/health/live').expect(200);
      await t.http().get(ME).expect(401);
      expect(completionLines(log.lines(), response.headers['x-request-id'])).toEqual([]);
      expect(log.lines().filter((line) => line.level === 'info')).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it("LOG_REQUEST_CONTEXT=false: the app's own lines carry no request id, the request's lines do", async () => {
    const log = captureLog();
    // Outside a request's context nestjs-pino writes to the first logger this process made (an
    // earlier suite's, here): one app per process in production, several in this test worker.
    __resetOutOfContextForTests();
    const t = await startTestApp('sqlite', {
      logger: undefined,
      logDestination: log.stream,
      extraModules: [LoggingProbeModule],
      env: { LOG_REQUEST_CONTEXT: 'false' },
    });
    try {
      const response = await t.http().get('/logging-probe').expect(200);
      const probe = log.lines().filter((line) => line.msg === 'probe reached');
      expect(probe).toHaveLength(1);
      expect(probe[0].requestId).toBeUndefined();
      expect(completionLines(log.lines(), response.headers['x-request-id'])).toHaveLength(1);
      // An unhandled error's line names its request in its text, with or without the context.
      const failed = await t.http().get('/logging-probe/failure').expect(500);
      const errors = log.lines().filter((line) => line.msg.startsWith('Unhandled error'));
      expect(errors).toHaveLength(1);
      expect(errors[0].msg).toBe(
        `Unhandled error on GET /logging-probe/failure (request ${failed.headers['x-request-id']})`,
      );
    } finally {
      await t.close();
    }
  });

  it('createApp with logger: false writes nothing at all, even given a destination', async () => {
    const log = captureLog();
    const t = await startTestApp('sqlite', { logger: false, logDestination: log.stream });
    try {
      const headers = await t.login('alice', 1);
      await t.http().get(ME).set(headers).expect(200);
      await t.http().get(ME).expect(401);
      await t.http().get('/nowhere').expect(404);
    } finally {
      await t.close();
    }
    expect(log.raw).toEqual([]);
  });
});

/** `node dist/main.js` in a scratch checkout, with a free port and the given variables. */
async function startBuiltApp(
  variables: Record<string, string>,
): Promise<{ app: NodeProcess; port: number; directory: string }> {
  const directory = mkdtempSync(join(tmpdir(), 'uo-logging-'));
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(directory, 'node_modules'), 'dir');
  symlinkSync(join(REPO_ROOT, 'dist'), join(directory, 'dist'), 'dir');
  const port = await freePort();
  const app = new NodeProcess([join('dist', 'main.js')], {
    cwd: directory,
    env: cleanEnv({ PORT: String(port), ...variables }),
  });
  return { app, port, directory };
}

/** Waits until stdout shows `text` (a request's line is written once its response is sent). */
async function untilLogged(app: NodeProcess, text: string): Promise<void> {
  await app.waitForStdout(new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), 10_000);
}

/** A text log line: time, level, message. */
const TEXT_LINE = /^\[\d{2}:\d{2}:\d{2}\.\d{3}\] (INFO|WARN|ERROR): /;

describe('node dist/main.js on a fresh machine (development: lines a person reads)', () => {
  let app: NodeProcess;
  let port: number;
  let directory: string;
  let banner: string;
  const BANNER = /\nSwagger UI: [\s\S]*?curl -i -X PATCH [\s\S]*?-d '\{[^\n]*\}'\n/;

  beforeAll(async () => {
    ({ app, port, directory } = await startBuiltApp({}));
    banner = (await app.waitForStdout(BANNER, 60_000))[0];
  });
  afterAll(async () => {
    await killAllProcesses();
    rmSync(directory, { recursive: true, force: true });
  });

  it('writes readable lines, none per module or route mapping, then the banner last', () => {
    const [before] = app.stdout.split(banner);
    const lines = before.split('\n').filter((line) => line.trim().length > 0);
    expect(lines.filter((line) => !TEXT_LINE.test(line))).toEqual([]);
    expect(lines.some((line) => /\[Bootstrap\] Serving on http:\/\/localhost:\d+/.test(line))).toBe(
      true,
    );
    expect(lines.some((line) => /WARN: \[Bootstrap\] .*development secret/.test(line))).toBe(true);
    expect(before).not.toMatch(/Mapped \{|dependencies initialized|RoutesResolver|\{"level"/);
    // Nothing else was written at start after the banner (requests come later).
    expect(app.stdout.endsWith(banner)).toBe(true);
    expect(app.stderr).toBe('');
  });

  it('prints in the banner the two tokens to paste into Authorize, the same as in its curl', () => {
    const bearer = /^ {2}bearer +(\S+)$/m.exec(banner)?.[1];
    const session = /^ {2}session-token +(\S+)$/m.exec(banner)?.[1];
    expect(banner).toContain(`/users-organizations/docs opens authorized as alice`);
    expect(banner).toContain(`-H 'Authorization: Bearer ${bearer}'`);
    expect(banner).toContain(`-H 'x-session-token: ${session}'`);
    // The banner is the only place the demo tokens are printed; the secrets never are.
    expect(app.stdout.split(bearer as string)).toHaveLength(3);
    expect(app.stdout + app.stderr).not.toContain(DEVELOPMENT_BEARER_SECRET);
    expect(app.stdout + app.stderr).not.toContain(DEVELOPMENT_SESSION_SECRET);
  });

  it('logs one line per request, none for the Swagger UI assets or the health probes', async () => {
    const base = `http://127.0.0.1:${port}`;
    for (const path of [
      '/users-organizations/docs',
      '/users-organizations/docs/swagger-ui.css',
      '/users-organizations/docs/swagger-ui-init.js',
      '/users-organizations/docs/preauthorize.js',
      '/health/live',
      '/health/ready',
    ]) {
      expect({ path, status: (await fetch(`${base}${path}`)).status }).toEqual({
        path,
        status: 200,
      });
    }
    const response = await fetch(`${base}${ME}`, {
      headers: { 'X-Request-Id': 'from-the-test-1' },
    });
    expect(response.status).toBe(401);
    await untilLogged(app, '(request from-the-test-1)');

    const after = app.stdout
      .split(banner)[1]
      .split('\n')
      .filter((line) => line.length > 0);
    expect(
      after.map((line) => line.replace(/^\[[^\]]+\] /, '').replace(/ \d+ ms /, ' N ms ')),
    ).toEqual([
      expect.stringMatching(/^INFO: GET \/users-organizations\/docs 200 N ms \(request \S+\)$/),
      `INFO: GET ${ME} 401 N ms (request from-the-test-1)`,
    ]);
  });

  it('says that it stops on SIGTERM, and that it stopped, last, and exits 0', async () => {
    app.child.kill('SIGTERM');
    expect(await app.waitForExit(10_000)).toEqual({ code: 0, signal: null });
    const lines = app.stdout.trimEnd().split('\n');
    expect(lines.slice(-2).map((line) => line.replace(/^\[[^\]]+\] /, ''))).toEqual([
      'INFO: [Bootstrap] Stopping on SIGTERM: answering the requests in flight.',
      'INFO: [Bootstrap] Stopped (SIGTERM).',
    ]);
  });
});

describe('node dist/main.js in production: JSON lines', () => {
  let directory: string;
  afterAll(async () => {
    await killAllProcesses();
    rmSync(directory, { recursive: true, force: true });
  });

  it('writes nothing but JSON lines, probes included, and says it stopped on SIGINT', async () => {
    const started = await startBuiltApp({
      NODE_ENV: 'production',
      ...PRODUCTION_IDENTITY,
      AUTH_JWT_SECRET: 'production-bearer-secret-0123456789abcdef-xyz',
      SESSION_TOKEN_SECRET: 'production-session-secret-0123456789abcdef-xyz',
      // Under the scratch directory, the process's working directory.
      DATABASE_URL: 'sqlite:production.sqlite',
    });
    const { app, port } = started;
    directory = started.directory;
    try {
      await app.waitForStdout(/Serving on/, 60_000);
      const live = await fetch(`http://127.0.0.1:${port}/health/live`, {
        headers: { 'X-Request-Id': 'probe-in-production' },
      });
      expect(live.status).toBe(200);
      await untilLogged(app, 'probe-in-production');
      app.child.kill('SIGINT');
      expect(await app.waitForExit(10_000)).toEqual({ code: 0, signal: null });
      const parsed = app.stdout
        .split('\n')
        .filter((line) => line.length > 0)
        .map((line) => JSON.parse(line) as LogLine);
      expect(parsed.some((line) => line.context === 'RoutesResolver')).toBe(true);
      expect(parsed.filter((line) => line.requestId === 'probe-in-production')).toHaveLength(1);
      expect(parsed.slice(-2).map((line) => [line.level, line.context, line.msg])).toEqual([
        ['info', 'Bootstrap', 'Stopping on SIGINT: answering the requests in flight.'],
        ['info', 'Bootstrap', 'Stopped (SIGINT).'],
      ]);
    } finally {
      await app.stop();
    }
  });
});
