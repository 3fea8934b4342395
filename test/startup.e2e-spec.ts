import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, MYSQL_SERVER, mysqlUrl, TestDatabase } from './support/databases';
import {
  cleanEnv,
  freePort,
  killAllProcesses,
  NodeProcess,
  REPO_ROOT,
  runNode,
} from './support/processes';
import { TcpProxy } from './support/tcp-proxy';

/**
 * What a person sees in the first minutes: helpers that answer at once, and start-up failures
 * that say what is wrong. The built app and scripts run as child processes.
 */

const BUILD_IF_STALE = join(REPO_ROOT, 'scripts', 'build-if-stale.mjs');
const MAIN = join(REPO_ROOT, 'dist', 'main.js');
const START_TIMEOUT_MS = 60_000;
/** A bound, not a speed claim: a refused database used to keep the app trying for 57 s. */
const FAIL_FAST_TIMEOUT_MS = 20_000;
/** The escape character, raw or as JSON writes it: neither belongs in a log line. */
// eslint-disable-next-line no-control-regex -- matching the escape character is the point
const ANSI = /\u001b|\\u001b/;
const scratchDirectories: string[] = [];

function scratchDirectory(prefix: string): string {
  const directory = mkdtempSync(join(tmpdir(), prefix));
  scratchDirectories.push(directory);
  return directory;
}

afterAll(async () => {
  await killAllProcesses();
  for (const directory of scratchDirectories) rmSync(directory, { recursive: true, force: true });
});

describe('helper scripts build only when the sources changed (scripts/build-if-stale.mjs)', () => {
  let project: string;
  const stamp = () => readFileSync(join(project, 'dist', '.built-at'), 'utf8');
  const run = () => runNode([BUILD_IF_STALE], { cwd: project, env: cleanEnv(), timeoutMs: 60_000 });

  beforeAll(() => {
    // A project laid out like this one, small enough to compile in a moment.
    project = scratchDirectory('uo-build-');
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(project, 'node_modules'), 'dir');
    mkdirSync(join(project, 'src'));
    writeFileSync(join(project, 'src', 'main.ts'), 'export const answer: number = 42;\n');
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { outDir: './dist', rootDir: 'src', types: [] } }),
    );
    writeFileSync(
      join(project, 'tsconfig.build.json'),
      JSON.stringify({ extends: './tsconfig.json', include: ['src'] }),
    );
  });

  it('builds when there is no build yet', async () => {
    const result = await run();
    expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 0, stdout: '' });
    expect(result.stderr).toMatch(/Building dist/);
    expect(existsSync(join(project, 'dist', 'main.js'))).toBe(true);
  });

  it('does nothing when nothing changed since', async () => {
    const before = stamp();
    const result = await run();
    expect(result).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(stamp()).toBe(before);
  });

  it('builds again once a source file is newer than the build', async () => {
    const before = stamp();
    const later = new Date(Date.now() + 60_000);
    writeFileSync(join(project, 'src', 'main.ts'), 'export const answer: number = 43;\n');
    utimesSync(join(project, 'src', 'main.ts'), later, later);
    const result = await run();
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/Building dist/);
    expect(stamp()).not.toBe(before);
    expect(readFileSync(join(project, 'dist', 'main.js'), 'utf8')).toContain('43');
  });

  it('fails, and says why, when the sources do not compile', async () => {
    const later = new Date(Date.now() + 120_000);
    writeFileSync(join(project, 'src', 'main.ts'), 'export const answer: number = "no";\n');
    utimesSync(join(project, 'src', 'main.ts'), later, later);
    const result = await run();
    expect(result.code).not.toBe(0);
    expect(result.stdout + result.stderr).toMatch(/TS2322/);
  });
});

/**
 * `node dist/main.js` in a scratch directory, with a free port and the given variables. Its log
 * is JSON lines, read back as objects (development's default is text: test/logging.e2e-spec.ts).
 */
async function startApp(variables: Record<string, string>, port?: number): Promise<NodeProcess> {
  const cwd = scratchDirectory('uo-startup-');
  return new NodeProcess([MAIN], {
    cwd,
    env: cleanEnv({ PORT: String(port ?? (await freePort())), LOG_FORMAT: 'json', ...variables }),
  });
}

/** Every stdout line is one JSON object (plain lines are for stderr). */
function logLines(app: NodeProcess): { level: string; msg: string }[] {
  return app.stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as { level: string; msg: string });
}

describe('start-up that tells the truth', () => {
  const secret = 'not-the-password-4f2a9c';
  /** A failed start says what is wrong once. */
  const failures = (app: NodeProcess) =>
    logLines(app).filter((line) => line.level === 'error' || line.level === 'fatal');

  async function expectOneFailure(app: NodeProcess, message: RegExp): Promise<void> {
    const exit = await app.waitForExit(FAIL_FAST_TIMEOUT_MS);
    expect({ exit, output: exit?.code === 1 ? '' : app.output() }).toEqual({
      exit: { code: 1, signal: null },
      output: '',
    });
    expect(failures(app).map((line) => line.msg)).toEqual([expect.stringMatching(message)]);
    expect(app.stdout).not.toMatch(/Serving on|not available yet|No demo tokens/);
    expect(app.stdout).not.toMatch(ANSI);
  }

  it('fails at once on refused credentials, in one line naming user, host and database, never the password', async () => {
    const url = `mysql://uo_no_such_user:${secret}@${MYSQL_SERVER.host}:${MYSQL_SERVER.port}/uo_anything`;
    const app = await startApp({ DATABASE_URL: url });
    const target = `database 'uo_anything' at ${MYSQL_SERVER.host}:${MYSQL_SERVER.port} as user 'uo_no_such_user'`;
    await expectOneFailure(
      app,
      new RegExp(`^Cannot use the ${target}: access denied: check the user and password`),
    );
    expect(app.stdout + app.stderr).not.toContain(secret);
  });

  it('fails at once on an unknown database, saying how to create it', async () => {
    const database = `uo_missing_${process.pid}`;
    const app = await startApp({ DATABASE_URL: mysqlUrl(database) });
    const target = `database '${database}' at ${MYSQL_SERVER.host}:${MYSQL_SERVER.port}`;
    await expectOneFailure(
      app,
      new RegExp(
        `^Cannot use the ${target} as user .*: the database does not exist: create it with \`npm run db:create\``,
      ),
    );
    if (MYSQL_SERVER.password) expect(app.stdout + app.stderr).not.toContain(MYSQL_SERVER.password);
  });

  it('tries DATABASE_CONNECT_ATTEMPTS times when asked to, then gives up', async () => {
    const database = `uo_missing_${process.pid}`;
    const app = await startApp({
      DATABASE_URL: mysqlUrl(database),
      DATABASE_CONNECT_ATTEMPTS: '2',
    });
    const exit = await app.waitForExit(START_TIMEOUT_MS);
    expect({ exit, output: exit?.code === 1 ? '' : app.output() }).toEqual({
      exit: { code: 1, signal: null },
      output: '',
    });
    expect(failures(app).map(({ level, msg }) => ({ level, msg }))).toEqual([
      { level: 'error', msg: expect.stringMatching(/does not exist.*\(attempt 1 of 2\)$/) },
      {
        level: 'fatal',
        msg: expect.stringMatching(/does not exist.*\(gave up after 2 attempts\)$/),
      },
    ]);
    expect(app.stdout).not.toMatch(/Serving on/);
  });

  describe('a server that cannot be reached yet', () => {
    let database: TestDatabase;
    let proxy: TcpProxy | undefined;
    beforeAll(async () => {
      database = await createTestDatabase('mariadb');
    });
    afterAll(async () => {
      await proxy?.stop();
      await database.drop();
    });

    it('is retried, serving liveness, not readiness, and says "serving" only once it answered', async () => {
      // A port nothing listens on yet: connection refused, as for a database still starting.
      const nowhere = await freePort();
      const port = await freePort();
      const name = new URL(database.url).pathname.slice(1);
      const app = await startApp({ DATABASE_URL: mysqlUrl(name, '127.0.0.1', nowhere) }, port);
      try {
        await app.waitForStdout(/(not available yet[\s\S]*){3}/, START_TIMEOUT_MS);
        expect(app.hasExited).toBe(false);
        expect((await fetch(`http://127.0.0.1:${port}/health/live`)).status).toBe(200);
        expect((await fetch(`http://127.0.0.1:${port}/health/ready`)).status).toBe(503);
        expect(app.stdout).toContain(`database '${name}' at 127.0.0.1:${nowhere} as user`);
        expect(app.stdout).toContain('nothing listens there (ECONNREFUSED)');
        expect(app.stdout).not.toMatch(/Serving on/);

        // The database appears on that port: the app connects, migrates, and only then serves.
        proxy = new TcpProxy(MYSQL_SERVER.host, MYSQL_SERVER.port);
        proxy.port = nowhere;
        await proxy.start();
        await app.waitForStdout(/Serving on/, START_TIMEOUT_MS);
        const messages = logLines(app).map((line) => line.msg);
        expect(messages.indexOf('Connected to the database.')).toBeGreaterThan(-1);
        expect(messages.findIndex((msg) => msg.startsWith('Serving on'))).toBeGreaterThan(
          messages.indexOf('Connected to the database.'),
        );
        expect((await fetch(`http://127.0.0.1:${port}/health/ready`)).status).toBe(200);
        expect(app.stdout).not.toMatch(ANSI);
      } finally {
        await app.stop();
      }
    });
  });

  describe('a port already in use', () => {
    let holder: Server;
    let port: number;
    beforeAll(async () => {
      holder = createServer();
      // No host: every address, as the app itself binds.
      await new Promise<void>((resolveListen) => holder.listen(0, resolveListen));
      port = (holder.address() as { port: number }).port;
    });
    afterAll(() => new Promise<void>((resolveClose) => holder.close(() => resolveClose())));

    it('exits 1 with one line naming PORT, and no stack trace', async () => {
      const cwd = scratchDirectory('uo-startup-');
      const app = await startApp({ DATABASE_URL: `sqlite:${join(cwd, 'app.sqlite')}` }, port);
      const exit = await app.waitForExit(START_TIMEOUT_MS);
      expect({ exit, output: exit?.code === 1 ? '' : app.output() }).toEqual({
        exit: { code: 1, signal: null },
        output: '',
      });
      expect(app.stderr.trim().split('\n')).toEqual([
        `PORT ${port} is already in use: stop what listens there, or set PORT to a free port.`,
      ]);
      expect(app.stdout + app.stderr).not.toMatch(/^\s+at /m);
    });
  });

  it('writes no ANSI escape into JSON log lines, even where Nest colours its own (NEST_DEBUG)', async () => {
    const cwd = scratchDirectory('uo-startup-');
    const app = await startApp({
      DATABASE_URL: `sqlite:${join(cwd, 'app.sqlite')}`,
      NEST_DEBUG: '1',
    });
    try {
      await app.waitForStdout(/Serving on/, START_TIMEOUT_MS);
      // Nest's injector logs in colour under NEST_DEBUG: those lines must be there, plain.
      expect(app.stdout).toMatch(/Looking for \S+ in \S+/);
      expect(app.stdout).not.toMatch(ANSI);
      expect(logLines(app).length).toBeGreaterThan(10);
    } finally {
      await app.stop();
    }
  });
});
