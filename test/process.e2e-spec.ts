import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { DataSource } from 'typeorm';
import { DEVELOPMENT_BEARER_SECRET, DEVELOPMENT_SESSION_SECRET } from '../src/config/app-config';
import { createTestDatabase, MYSQL_SERVER, TestDatabase } from './support/databases';
import {
  cleanEnv,
  freePort,
  isRefusingConnections,
  killAllProcesses,
  NodeProcess,
  REPO_ROOT,
  runBash,
  runNode,
  scratchCheckout,
  sleep,
  SplitRequest,
} from './support/processes';
import { startTestApp, TestApp } from './support/test-app';
import { PRODUCTION_IDENTITY, TEST_BEARER_SECRET, TEST_SESSION_SECRET } from './support/tokens';

/**
 * The built app (dist/, made by `npm run build`, which `npm test` runs first) as real processes:
 * configuration from a clean environment, the start-up banner, graceful shutdown, the CLIs.
 */

const MAIN = join(REPO_ROOT, 'dist', 'main.js');
const SEED_CLI = join(REPO_ROOT, 'dist', 'cli', 'seed-demo.js');
const TOKEN_CLI = join(REPO_ROOT, 'dist', 'cli', 'token.js');
/** Generous: a process that validates its configuration fails in well under a second. */
const CONFIG_FAILURE_TIMEOUT_MS = 15_000;
const START_TIMEOUT_MS = 60_000;
const SHUTDOWN_TIMEOUT_MS = 10_000;
const PRODUCTION_BEARER_SECRET = 'production-bearer-secret-0123456789abcdef-xyz';
const PRODUCTION_SESSION_SECRET = 'production-session-secret-0123456789abcdef-xyz';

const scratchDirectories: string[] = [];
function newScratchCheckout(): string {
  const directory = scratchCheckout();
  scratchDirectories.push(directory);
  return directory;
}

function databaseName(url: string): string {
  return new URL(url).pathname.slice(1);
}

async function queryDatabase<Row>(url: string, sql: string, parameters: unknown[] = []) {
  const connection = await createConnection({ ...MYSQL_SERVER, database: databaseName(url) });
  try {
    const [rows] = await connection.query(sql, parameters);
    return rows as Row[];
  } finally {
    await connection.end();
  }
}

async function countRows(url: string, table: string): Promise<number> {
  const [row] = await queryDatabase<{ total: number }>(
    url,
    `SELECT COUNT(*) AS total FROM \`${table}\``,
  );
  return Number(row.total);
}

/** Runs `node dist/main.js` in a scratch checkout, expecting it to refuse its configuration. */
async function startWithBadConfiguration(variables: Record<string, string>) {
  const cwd = newScratchCheckout();
  // A free port and a scratch database, so a process that wrongly starts harms nothing.
  const port = String(await freePort());
  return runNode([MAIN], {
    cwd,
    env: cleanEnv({ PORT: port, DATABASE_URL: `sqlite:${join(cwd, 'app.sqlite')}`, ...variables }),
    timeoutMs: CONFIG_FAILURE_TIMEOUT_MS,
  });
}

function expectRefused(
  result: Awaited<ReturnType<typeof runNode>>,
  named: string[],
  notNamed: string[] = [],
) {
  expect({ timedOut: result.timedOut, signal: result.signal }).toEqual({
    timedOut: false,
    signal: null,
  });
  expect(result.code).not.toBe(0);
  expect(result.code).not.toBeNull();
  for (const variable of named) expect(result.stderr).toContain(variable);
  for (const variable of notNamed) expect(result.stderr).not.toContain(variable);
  // A clear message, not a crash: no stack trace.
  expect(result.stderr).not.toMatch(/^\s+at /m);
}

afterAll(async () => {
  await killAllProcesses();
  for (const directory of scratchDirectories) rmSync(directory, { recursive: true, force: true });
});

describe('node dist/main.js refuses a bad configuration', () => {
  it('names every bad variable at once and exits non-zero', async () => {
    const result = await startWithBadConfiguration({
      PORT: 'abc',
      SESSION_TTL_SECONDS: '5',
      DATABASE_URL: 'nonsense',
      DATABASE_POOL_SIZE: '0',
      DATABASE_MIGRATIONS_RUN: 'maybe',
      NODE_ENV: 'staging',
    });
    expectRefused(result, [
      'PORT',
      'SESSION_TTL_SECONDS',
      'DATABASE_URL',
      'DATABASE_POOL_SIZE',
      'DATABASE_MIGRATIONS_RUN',
      'NODE_ENV',
    ]);
  });

  it('names only the bad variable when the others are fine', async () => {
    const result = await startWithBadConfiguration({ SESSION_TTL_SECONDS: '59' });
    expectRefused(result, ['SESSION_TTL_SECONDS'], ['PORT', 'DATABASE_URL']);
  });
});

describe('NODE_ENV=production secrets', () => {
  const production = (variables: Record<string, string>) =>
    startWithBadConfiguration({ NODE_ENV: 'production', ...variables });

  it('refuses missing secrets, naming both variables', async () => {
    expectRefused(await production({}), ['AUTH_JWT_SECRET', 'SESSION_TOKEN_SECRET']);
  });

  it('refuses a missing session secret when the bearer secret is set', async () => {
    expectRefused(
      await production({ AUTH_JWT_SECRET: PRODUCTION_BEARER_SECRET }),
      ['SESSION_TOKEN_SECRET'],
      ['AUTH_JWT_SECRET'],
    );
  });

  it('refuses development-length secrets (under 32 bytes), naming each', async () => {
    expectRefused(
      await production({
        AUTH_JWT_SECRET: 'short-bearer-secret',
        SESSION_TOKEN_SECRET: 'short-session-secret',
      }),
      ['AUTH_JWT_SECRET', 'SESSION_TOKEN_SECRET'],
    );
  });

  it('refuses a 31-byte bearer secret and names only that variable', async () => {
    const result = await production({
      AUTH_JWT_SECRET: 'b'.repeat(31),
      SESSION_TOKEN_SECRET: PRODUCTION_SESSION_SECRET,
    });
    expectRefused(result, ['AUTH_JWT_SECRET'], ['SESSION_TOKEN_SECRET']);
  });

  it('refuses the built-in development secrets', async () => {
    expectRefused(
      await production({
        AUTH_JWT_SECRET: DEVELOPMENT_BEARER_SECRET,
        SESSION_TOKEN_SECRET: DEVELOPMENT_SESSION_SECRET,
      }),
      ['AUTH_JWT_SECRET', 'SESSION_TOKEN_SECRET'],
    );
  });

  it('refuses equal secrets, naming both variables', async () => {
    const result = await production({
      AUTH_JWT_SECRET: PRODUCTION_BEARER_SECRET,
      SESSION_TOKEN_SECRET: PRODUCTION_BEARER_SECRET,
    });
    expectRefused(result, ['AUTH_JWT_SECRET', 'SESSION_TOKEN_SECRET']);
    expect(result.stderr).toMatch(/differ|equal|same/i);
  });

  /** The built app in production on a scratch SQLite database, with these secrets. */
  async function startInProduction(bearerSecret: string) {
    const cwd = newScratchCheckout();
    const port = await freePort();
    const app = new NodeProcess([MAIN], {
      cwd,
      env: cleanEnv({
        NODE_ENV: 'production',
        ...PRODUCTION_IDENTITY,
        PORT: String(port),
        DATABASE_URL: `sqlite:${join(cwd, 'production.sqlite')}`,
        AUTH_JWT_SECRET: bearerSecret,
        SESSION_TOKEN_SECRET: PRODUCTION_SESSION_SECRET,
      }),
    });
    return { app, port };
  }

  it('starts with distinct secrets of 32 bytes or more', async () => {
    const { app, port } = await startInProduction('p'.repeat(32));
    try {
      await app.waitForStdout(/Serving on/, START_TIMEOUT_MS);
      const live = await fetch(`http://127.0.0.1:${port}/health/live`);
      expect(live.status).toBe(200);
      expect(app.stdout + app.stderr).not.toMatch(/development secret/i);
      // The Swagger UI opens authorized in development on the demo data only.
      const script = await fetch(
        `http://127.0.0.1:${port}/users-organizations/docs/preauthorize.js`,
      );
      expect({ status: script.status, text: await script.text() }).toEqual({
        status: 200,
        text: expect.not.stringMatching(/eyJ|localStorage/) as unknown,
      });
    } finally {
      await app.stop();
    }
  });

  it('loses no line of its log to a SIGTERM', async () => {
    const { app, port } = await startInProduction(PRODUCTION_BEARER_SECRET);
    try {
      await app.waitForStdout(/Serving on/, START_TIMEOUT_MS);
      const paths = Array.from({ length: 200 }, (_, index) => `/no-such-route-${index}`);
      const statuses = await Promise.all(
        paths.map(async (path) => (await fetch(`http://127.0.0.1:${port}${path}`)).status),
      );
      expect(new Set(statuses)).toEqual(new Set([404]));
      app.child.kill('SIGTERM');
      expect(await app.waitForExit(START_TIMEOUT_MS)).toEqual({ code: 0, signal: null });
      const logged = app.stdout
        .split('\n')
        .filter((line) => line.includes('"request completed"'))
        .map((line) => (JSON.parse(line) as { req: { url: string } }).req.url);
      expect(logged.sort()).toEqual([...paths].sort());
    } finally {
      await app.stop();
    }
  });
});

describe('npm start on a fresh machine (embedded database)', () => {
  let cwd: string;
  let port: number;
  let app: NodeProcess;
  let curl: string;
  let headers: { authorization: string; session: string };

  beforeAll(async () => {
    cwd = newScratchCheckout();
    port = await freePort();
    // No DATABASE_URL, no secrets, no NODE_ENV: exactly what `npm start` sees on a new machine.
    app = new NodeProcess([join('dist', 'main.js')], {
      cwd,
      env: cleanEnv({ PORT: String(port) }),
    });
    const printed = await app.waitForStdout(
      /curl -i -X PATCH [\s\S]*?-d '\{"firstName":"[^"']*"\}'/,
      START_TIMEOUT_MS,
    );
    curl = printed[0];
    const authorization = /-H 'Authorization: (Bearer [^']+)'/.exec(curl);
    const session = /-H 'x-session-token: ([^']+)'/.exec(curl);
    expect(authorization).not.toBeNull();
    expect(session).not.toBeNull();
    headers = {
      authorization: (authorization as RegExpExecArray)[1],
      session: (session as RegExpExecArray)[1],
    };
  });
  afterAll(() => app.stop());

  it('creates the embedded database under the working directory, not the repository', () => {
    expect(existsSync(join(cwd, 'var', 'users-organizations.sqlite'))).toBe(true);
  });

  it('prints the Swagger URL', () => {
    expect(app.stdout).toContain(`:${port}/users-organizations/docs`);
  });

  it('prints a curl command that works when pasted into a shell', async () => {
    const newFirstName = /"firstName":"([^"]*)"/.exec(curl)?.[1];
    expect(newFirstName).toBeTruthy();
    const { stdout } = await runBash(curl);
    expect(stdout).toMatch(/^HTTP\/1\.1 200/);
    expect(stdout).toMatch(/^etag: /im);
    const body = JSON.parse(stdout.slice(stdout.indexOf('\r\n\r\n') + 4)) as {
      data: { firstName: string; userId: number; organizationId: number };
    };
    expect(body.data).toMatchObject({ firstName: newFirstName, userId: 1, organizationId: 1 });
  });

  it('is live and ready', async () => {
    expect((await fetch(`http://127.0.0.1:${port}/health/live`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/health/ready`)).status).toBe(200);
  });

  it('finishes the requests in flight on SIGTERM, then exits with code 0', async () => {
    const host = `Host: 127.0.0.1:${port}\r\n`;
    const auth = `Authorization: ${headers.authorization}\r\nx-session-token: ${headers.session}\r\n`;
    // The GETs lack their final CRLF and the PATCH its body: none can complete before SIGTERM.
    const gets = [
      ...[1, 2, 3].map(
        () =>
          new SplitRequest(
            port,
            `GET /users-organizations/v1/rs/users/me HTTP/1.1\r\n${host}${auth}Connection: close\r\n`,
            '\r\n',
          ),
      ),
      new SplitRequest(port, `GET /health/live HTTP/1.1\r\n${host}Connection: close\r\n`, '\r\n'),
    ];
    const patchBody = JSON.stringify({ lastName: 'Martin-Graceful' });
    const patch = new SplitRequest(
      port,
      `PATCH /users-organizations/v1/rs/users/me HTTP/1.1\r\n${host}${auth}` +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(patchBody)}\r\n` +
        'Connection: close\r\n\r\n',
      patchBody,
    );
    const requests = [...gets, patch];
    try {
      await Promise.all(requests.map((request) => request.connected));
      // Let the server read what was sent, so every request has begun on its side.
      await sleep(300);

      expect(app.child.kill('SIGTERM')).toBe(true);
      // Shutdown is under way once the server stops accepting connections.
      let refusing = false;
      for (let attempt = 0; attempt < 100 && !refusing && !app.hasExited; attempt++) {
        refusing = await isRefusingConnections(port);
        if (!refusing) await sleep(50);
      }
      expect(refusing).toBe(true);

      for (const request of requests) request.finish();
      const responses = await Promise.all(requests.map((request) => request.response));
      expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 200, 200]);
      for (const response of responses.slice(0, 3)) {
        expect(JSON.parse(response.body)).toMatchObject({ data: { userId: 1 } });
      }
      expect(JSON.parse(responses[4].body)).toMatchObject({
        data: { lastName: 'Martin-Graceful' },
      });
    } finally {
      for (const request of requests) request.destroy();
    }

    const exit = await app.waitForExit(SHUTDOWN_TIMEOUT_MS);
    expect({ exit, output: exit?.code === 0 ? '' : app.output() }).toEqual({
      exit: { code: 0, signal: null },
      output: '',
    });
  });

  it('committed the PATCH answered during shutdown', async () => {
    const dataSource = new DataSource({
      type: 'better-sqlite3',
      database: join(cwd, 'var', 'users-organizations.sqlite'),
    });
    await dataSource.initialize();
    try {
      const rows: unknown = await dataSource.query(
        'SELECT lastName FROM memberships WHERE userId = 1 AND organizationId = 1',
      );
      expect(rows).toEqual([{ lastName: 'Martin-Graceful' }]);
    } finally {
      await dataSource.destroy();
    }
  });
});

describe('CLIs against MariaDB', () => {
  describe('seed-demo and token', () => {
    let database: TestDatabase;
    beforeAll(async () => {
      database = await createTestDatabase('mariadb');
    });
    afterAll(() => database.drop());

    const runSeed = () =>
      runNode([SEED_CLI], {
        env: cleanEnv({ DATABASE_URL: database.url }),
        timeoutMs: START_TIMEOUT_MS,
      });

    it('loads the demo data into a fresh database', async () => {
      const result = await runSeed();
      expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
      expect(result.stdout).toMatch(/demo data loaded/i);
      expect(result.stdout).not.toMatch(/nothing was changed/i);
      expect(await countRows(database.url, 'organizations')).toBe(2);
      expect(await countRows(database.url, 'users')).toBe(5);
      expect(await countRows(database.url, 'memberships')).toBe(5);
      expect(await countRows(database.url, 'professions')).toBe(4);
      expect(await countRows(database.url, 'organization_groups')).toBe(3);
      expect(await countRows(database.url, 'invitations')).toBe(1);
    });

    it('changes nothing on a second run, and says so', async () => {
      const result = await runSeed();
      expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
      expect(result.stdout).toMatch(/nothing was changed/i);
      expect(result.stdout).not.toMatch(/demo data loaded/i);
      expect(await countRows(database.url, 'organizations')).toBe(2);
      expect(await countRows(database.url, 'users')).toBe(5);
      expect(await countRows(database.url, 'memberships')).toBe(5);
    });

    describe('token CLI (after the seed)', () => {
      let t: TestApp | undefined;
      const tokenEnv = () =>
        cleanEnv({
          DATABASE_URL: database.url,
          AUTH_JWT_SECRET: TEST_BEARER_SECRET,
          SESSION_TOKEN_SECRET: TEST_SESSION_SECRET,
        });

      beforeAll(async () => {
        t = await startTestApp('mariadb', { databaseUrl: database.url, demo: false });
      });
      afterAll(() => t?.close());

      const getMe = (bearer: string, session: string) =>
        (t as TestApp)
          .http()
          .get('/users-organizations/v1/rs/users/me')
          .set('Authorization', `Bearer ${bearer}`)
          .set('x-session-token', session);

      it('prints a bearer token and a session token that the app accepts', async () => {
        const result = await runNode([TOKEN_CLI, '--subject', 'alice', '--organization', '1'], {
          env: tokenEnv(),
          timeoutMs: START_TIMEOUT_MS,
        });
        expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
        const bearer = /^Bearer token:\s+(\S+)$/m.exec(result.stdout)?.[1];
        const session = /^Session token:\s+(\S+)$/m.exec(result.stdout)?.[1];
        expect(bearer).toBeDefined();
        expect(session).toBeDefined();
        expect(bearer).not.toBe(session);

        const res = await getMe(bearer as string, session as string);
        expect(res.status).toBe(200);
        expect(res.body.data).toMatchObject({ userId: 1, organizationId: 1, firstName: 'Alice' });
      });

      it('prints two export lines with --export, usable from a shell', async () => {
        const result = await runNode(
          [TOKEN_CLI, '--subject', 'alice', '--organization', '1', '--export'],
          { env: tokenEnv(), timeoutMs: START_TIMEOUT_MS },
        );
        expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
        const lines = result.stdout.trim().split('\n');
        expect(lines).toHaveLength(2);
        for (const line of lines) expect(line).toMatch(/^export [A-Z_]+=\S+$/);

        // Sourced as a user would (eval "$(npm run token -- --export)"), the variables are set.
        const { stdout } = await runBash(
          `${result.stdout}\nprintf '%s\\n' "$BEARER_TOKEN" "$SESSION_TOKEN"`,
        );
        const [bearer, session] = stdout.trim().split('\n');
        expect(bearer).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
        expect(session).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
        const res = await getMe(bearer, session);
        expect(res.status).toBe(200);
        expect(res.body.data.firstName).toBe('Alice');
      });

      it("with --email, prints a bearer that sees and accepts Frank's demo invitation", async () => {
        const result = await runNode([TOKEN_CLI, '--email', 'frank@example.com'], {
          env: tokenEnv(),
          timeoutMs: START_TIMEOUT_MS,
        });
        expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
        const bearer = /^Bearer token:\s+(\S+)$/m.exec(result.stdout)?.[1] as string;
        // No organization yet: no session token.
        expect(result.stdout).not.toMatch(/Session token/);
        const app = t as TestApp;
        const authorization = { Authorization: `Bearer ${bearer}` };
        const mine = await app
          .http()
          .get('/users-organizations/v1/rs/me/invitations')
          .set(authorization)
          .expect(200);
        expect(mine.body.data).toEqual([
          expect.objectContaining({
            organizationId: 1,
            organizationName: 'Demo Care Paris',
            email: 'frank@example.com',
            firstName: 'Frank',
            lastName: 'Leroy',
            professionId: 1,
            permissions: { group: 1, read: [1], manage: [] },
            status: 'pending',
          }),
        ]);
        const accepted = await app
          .http()
          .post(
            `/users-organizations/v1/rs/me/invitations/${mine.body.data[0].id as number}/accept`,
          )
          .set(authorization)
          .set('content-type', 'application/json')
          .expect(201);
        expect(accepted.body.data).toMatchObject({
          organizationId: 1,
          scope: 2,
          firstName: 'Frank',
        });
      });
    });
  });
});
