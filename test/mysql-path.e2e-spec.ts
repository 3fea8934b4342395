import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createConnection, type RowDataPacket } from 'mysql2/promise';
import { migrations } from '../src/database/data-source-options';
import { MYSQL_SERVER, mysqlUrl } from './support/databases';
import {
  cleanEnv,
  freePort,
  killAllProcesses,
  NodeProcess,
  REPO_ROOT,
  runBash,
  runNode,
  type ProcessResult,
} from './support/processes';

/**
 * The README's MySQL steps as a newcomer pastes them (DESIGN 9b): `npm run db:create`, the
 * migrations, the demo data, `npm start` and its curl. Each command answers in one line, also
 * when it fails, and says what to do then.
 */

const README = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
const SCRIPTS = (
  JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  }
).scripts;
const START_TIMEOUT_MS = 60_000;
const MIGRATION_COUNT = migrations({ type: 'better-sqlite3', path: '', defaultIssuer: '' }).length;
const SCHEMA_TABLES = [
  'audit_events',
  'event_broker_queue',
  'event_relay_leases',
  'invitations',
  'memberships',
  'migrations',
  'organization_groups',
  'organizations',
  'professions',
  'sessions',
  'users',
  'webhook_deliveries',
  'webhook_delivery_attempts',
  'webhook_endpoints',
];

const created: string[] = [];
/** A database name no other suite uses, dropped after the suite (whoever created it). */
function newDatabaseName(): string {
  const name = `uo_path_${process.pid}_${randomBytes(4).toString('hex')}`;
  created.push(name);
  return name;
}

async function onServer<T extends RowDataPacket[]>(sql: string, parameters: unknown[] = []) {
  const connection = await createConnection(MYSQL_SERVER);
  try {
    return (await connection.query<T>(sql, parameters))[0];
  } finally {
    await connection.end();
  }
}

afterAll(async () => {
  await killAllProcesses();
  for (const name of created) await onServer(`DROP DATABASE IF EXISTS \`${name}\``);
});

type Run = Pick<ProcessResult, 'code' | 'stdout' | 'stderr'>;

/**
 * `npm run <name> -- <args>` as package.json says, less the build step (`npm test` built dist/
 * already, and nothing may rebuild it while the suites run), in a clean environment.
 */
function npmRun(name: string, env: Record<string, string>, args: string[] = []): Promise<Run> {
  const [node, ...command] = SCRIPTS[name]
    .replace(/^node scripts\/build-if-stale\.mjs && /, '')
    .split(' ');
  expect(node).toBe('node');
  return runNode([...command, ...args], {
    cwd: REPO_ROOT,
    env: cleanEnv(env),
    timeoutMs: START_TIMEOUT_MS,
  });
}

async function tablesOf(name: string): Promise<string[]> {
  const rows = await onServer<({ name: string } & RowDataPacket)[]>(
    'SELECT `TABLE_NAME` AS `name` FROM `information_schema`.`TABLES` WHERE `TABLE_SCHEMA` = ?',
    [name],
  );
  return rows.map((row) => row.name).sort();
}

/** The README's MySQL block: its commands, comments and blank lines left out. */
function readmeMysqlSteps(): string[] {
  const section = README.slice(README.indexOf('Against MariaDB/MySQL instead'));
  const block = /```sh\n([\s\S]*?)```/.exec(section);
  if (block === null) throw new Error('The README has no MySQL steps');
  return block[1]
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => line !== '');
}

describe("the README's MySQL steps, pasted on a machine with root and no password", () => {
  let app: NodeProcess | undefined;
  afterAll(() => app?.stop());

  it('take a new database to a PATCH with the printed curl, each command saying what it did in one line', async () => {
    const steps = readmeMysqlSteps();
    const exported = /^export DATABASE_URL=(\S+)$/.exec(steps[0]);
    expect(exported?.[1]).toMatch(/^mysql:\/\/root@127\.0\.0\.1:3306\/\w+$/);
    // The README's URL on a database of this run's own (the server the tests were given).
    const name = newDatabaseName();
    const env = { DATABASE_URL: mysqlUrl(name) };
    const commands = steps.slice(1);
    expect(commands[commands.length - 1]).toBe('npm start');
    expect(commands).toContain('npm run db:create');

    const said: Record<string, string> = {};
    for (const command of commands.slice(0, -1)) {
      const script = /^npm run ([\w:]+)$/.exec(command)?.[1];
      expect({ command, script }).toEqual({ command, script: expect.any(String) });
      const result = await npmRun(script as string, env);
      expect({ command, code: result.code, stderr: result.stderr }).toEqual({
        command,
        code: 0,
        stderr: '',
      });
      expect({ command, lines: result.stdout.trimEnd().split('\n').length }).toEqual({
        command,
        lines: 1,
      });
      said[command] = result.stdout.trim();
    }
    expect(said['npm run db:create']).toMatch(
      new RegExp(`^Created the database '${name}' at .* \\(utf8mb4, utf8mb4_unicode_ci\\)`),
    );
    if ('npm run migration:run' in said) {
      expect(said['npm run migration:run']).toMatch(
        new RegExp(`^Applied ${MIGRATION_COUNT} migrations to the database '${name}'`),
      );
    }
    expect(said['npm run seed:demo']).toMatch(/^Demo data loaded/);

    const port = await freePort();
    const start = SCRIPTS.start.split(' ');
    expect(start[0]).toBe('node');
    app = new NodeProcess(start.slice(1), { env: cleanEnv({ ...env, PORT: String(port) }) });
    const printed = await app.waitForStdout(
      /curl -i -X PATCH [\s\S]*?-d '\{"firstName":"[^"']*"\}'/,
      START_TIMEOUT_MS,
    );
    const { stdout } = await runBash(printed[0]);
    expect(stdout).toMatch(/^HTTP\/1\.1 200/);
    expect(app.stdout).not.toMatch(/No demo tokens/);
  });
});

describe('npm run db:create', () => {
  it('creates the database in utf8mb4 once, and leaves an existing one as it is', async () => {
    const name = newDatabaseName();
    const env = { DATABASE_URL: mysqlUrl(name) };
    const first = await npmRun('db:create', env);
    expect({ code: first.code, stderr: first.stderr }).toEqual({ code: 0, stderr: '' });
    expect(first.stdout.trimEnd().split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^Created the database '${name}' at `)),
    ]);
    const [schema] = await onServer<({ charset: string; collation: string } & RowDataPacket)[]>(
      'SELECT `DEFAULT_CHARACTER_SET_NAME` AS `charset`, `DEFAULT_COLLATION_NAME` AS `collation` ' +
        'FROM `information_schema`.`SCHEMATA` WHERE `SCHEMA_NAME` = ?',
      [name],
    );
    expect({ ...schema }).toEqual({ charset: 'utf8mb4', collation: 'utf8mb4_unicode_ci' });

    const again = await npmRun('db:create', env);
    expect({ code: again.code, stderr: again.stderr }).toEqual({ code: 0, stderr: '' });
    expect(again.stdout.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/already exists \(utf8mb4, utf8mb4_unicode_ci\): nothing was changed/),
    ]);
  });

  it('says there is nothing to create for the embedded database', async () => {
    const result = await npmRun('db:create', {});
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    expect(result.stdout.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^Nothing to create: DATABASE_URL names the SQLite file/),
    ]);
  });
});

describe('npm run migration:run and migration:revert', () => {
  it('apply every migration quietly, revert them one by one to none, and apply them again', async () => {
    const name = newDatabaseName();
    const env = { DATABASE_URL: mysqlUrl(name) };
    expect((await npmRun('db:create', env)).code).toBe(0);
    const lines = (run: Run) => {
      expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
      return run.stdout.trimEnd().split('\n');
    };

    expect(lines(await npmRun('migration:run', env))).toEqual([
      expect.stringMatching(new RegExp(`^Applied ${MIGRATION_COUNT} migrations to the database`)),
    ]);
    expect(await tablesOf(name)).toEqual(SCHEMA_TABLES);
    expect(lines(await npmRun('migration:run', env))).toEqual([
      expect.stringMatching(/^No pending migration: .* is up to date\.$/),
    ]);

    for (let remaining = MIGRATION_COUNT - 1; remaining >= 0; remaining--) {
      expect(lines(await npmRun('migration:revert', env))).toEqual([
        expect.stringMatching(
          new RegExp(
            `^Reverted \\w+ on the database .*; ${remaining} migrations? still applied\\.$`,
          ),
        ),
      ]);
    }
    expect(await tablesOf(name)).toEqual(['migrations']);
    expect(lines(await npmRun('migration:revert', env))).toEqual([
      expect.stringMatching(/^No migration to revert/),
    ]);

    expect(lines(await npmRun('migration:run', env))).toHaveLength(1);
    expect(await tablesOf(name)).toEqual(SCHEMA_TABLES);
  });
});

describe('every command that fails says what to do, in one line', () => {
  const missing = () => mysqlUrl(`uo_missing_${process.pid}`);
  const target = (name: string) =>
    `database '${name}' at ${MYSQL_SERVER.host}:${MYSQL_SERVER.port} as user '${MYSQL_SERVER.user}'`;
  const doesNotExist = new RegExp(
    `^Cannot use the ${target(`uo_missing_${process.pid}`)}: the database does not exist: create it with \`npm run db:create\`, or fix its name in DATABASE_URL$`,
  );

  it.each([
    ['migration:run', []],
    ['migration:revert', []],
    ['seed:demo', []],
    ['purge', []],
    ['org:create', ['--name', 'Care', '--admin-email', 'direction@care.example']],
  ])('npm run %s on a database that does not exist', async (script, args) => {
    const result = await npmRun(script, { DATABASE_URL: missing() }, args);
    expect(result.code).not.toBe(0);
    expect({ stdout: result.stdout, stderr: result.stderr.trimEnd().split('\n') }).toEqual({
      stdout: '',
      stderr: [expect.stringMatching(doesNotExist)],
    });
  });

  it('npm run db:create with a refused password, never printing it', async () => {
    const password = 'not-the-password-91c4';
    const url = `mysql://uo_no_such_user:${password}@${MYSQL_SERVER.host}:${MYSQL_SERVER.port}/uo_anything`;
    const result = await npmRun('db:create', { DATABASE_URL: url });
    expect(result.code).toBe(1);
    expect(result.stderr.trimEnd().split('\n')).toEqual([
      `Cannot use the database 'uo_anything' at ${MYSQL_SERVER.host}:${MYSQL_SERVER.port} as user 'uo_no_such_user': access denied: check the user and password in DATABASE_URL`,
    ]);
    expect(result.stdout + result.stderr).not.toContain(password);
  });

  it('npm run migration:run with nothing listening at the host and port', async () => {
    const nowhere = await freePort();
    const result = await npmRun('migration:run', {
      DATABASE_URL: mysqlUrl('uo_anything', '127.0.0.1', nowhere),
    });
    expect(result.code).toBe(1);
    expect(result.stderr.trimEnd().split('\n')).toEqual([
      `Cannot use the database 'uo_anything' at 127.0.0.1:${nowhere} as user '${MYSQL_SERVER.user}': nothing listens there (ECONNREFUSED): start MySQL, or fix the host and port in DATABASE_URL`,
    ]);
  });

  it('npm run seed:demo with a DATABASE_URL that is not one', async () => {
    const result = await npmRun('seed:demo', { DATABASE_URL: 'mysql://root@127.0.0.1:3306' });
    expect(result.code).toBe(1);
    expect(result.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(
        /^Invalid configuration: DATABASE_URL must look like .*mysql:\/\/root@127\.0\.0\.1:3306\/database without a password/,
      ),
    ]);
  });
});
