/**
 * What the bench's modules share: paths, the app's Node flags and environment, its databases,
 * the run's state and log.
 */
import { ChildProcess, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Caller, Layout, Target } from './lib/layout';
import { BenchOptions } from './lib/options';
import { Server, freePort, startServer, stopProcess, waitReady } from './lib/processes';
import { BENCH_CLIENT } from './lib/layout';
import {
  BENCH_AUDIENCE,
  BENCH_ISSUER,
  BENCH_SERVICE_AUDIENCE,
  Secrets,
  createDatabase,
  databaseUrl,
  runMigrations,
  seed,
} from './lib/seed';

export const ROOT = resolve(__dirname, '..', '..');
export let APP_ROOT = ROOT;
export const appEntry = () => join(APP_ROOT, 'dist', 'main.js');

/** `--app-root`: the app measured is the one built there. */
export function setAppRoot(dir: string): void {
  APP_ROOT = dir;
}

/** Node's flags for the app as `npm run start:prod` gives them (its heap cap, say). */
export function appNodeArguments(): string[] {
  const given = state.options?.appFlags;
  if (given !== undefined) return given.split(/\s+/).filter((flag) => flag.length > 0);
  const manifest = JSON.parse(readFileSync(join(APP_ROOT, 'package.json'), 'utf8')) as {
    scripts?: Record<string, string>;
  };
  const command = /^node\s+(.*?)\s*dist\/main\.js$/.exec(manifest.scripts?.['start:prod'] ?? '');
  return command ? command[1].split(/\s+/).filter((flag) => flag.length > 0) : [];
}
/** A Node binary the targets run under, and its version (the label of its runs). */
export interface NodeBinary {
  path: string;
  version: string;
}

export function nodeBinary(path: string): NodeBinary {
  const version = execFileSync(path, ['--version']).toString().trim();
  return { path, version };
}

const BASELINE_ENTRY = join(__dirname, 'baselines', 'server.js');
const FRAMEWORK_ENTRY = join(__dirname, 'baselines', 'framework-server.js');
export const baselineEntry = (target: Target) =>
  target === 'framework' ? FRAMEWORK_ENTRY : BASELINE_ENTRY;
const isApp = (target: Target) => target === 'app' || target in TARGET_ENV;
/** What each app-no-* target changes: the price of that feature is its difference to `app`. */
const TARGET_ENV: Partial<Record<Target, Record<string, string>>> = {
  'app-no-metrics': { METRICS_ENABLED: 'false' },
  'app-no-log': { LOG_LEVEL: 'warn' },
  'app-no-rate-limits': {
    RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '0',
    RATE_LIMIT_PER_USER_PER_MINUTE: '0',
  },
};

/**
 * Starts a target under `node`: the app with the Node flags of start:prod and `appEnv` (the
 * bench's `--app-env`) over `env`, or a baseline server with `env`. `nodeFlags` go to either
 * (e.g. `--cpu-prof`).
 */
function startTarget(
  target: Target,
  node: string,
  nodeFlags: string[],
  env: Record<string, string | undefined>,
  appEnv: Record<string, string>,
  port: number,
  logFile: string,
) {
  return isApp(target)
    ? startServer(
        target,
        node,
        [...appNodeArguments(), ...nodeFlags],
        appEntry(),
        [],
        { ...env, ...appEnv, ...TARGET_ENV[target] },
        port,
        logFile,
        APP_ROOT,
      )
    : startServer(
        target,
        node,
        nodeFlags,
        baselineEntry(target),
        [target],
        env,
        port,
        logFile,
        ROOT,
      );
}

/**
 * startTarget on a free port, with the app's environment for the database at `url`; resolves
 * once it answers /health/ready, and stops it if it never does.
 */
export async function startReadyTarget(
  target: Target,
  node: string,
  nodeFlags: string[],
  url: string,
  secrets: Secrets,
  options: BenchOptions,
  appEnv: Record<string, string>,
  logFile: string,
): Promise<Server> {
  const port = await freePort();
  const env = appEnvironment(url, secrets, options, port);
  const server = startTarget(target, node, nodeFlags, env, appEnv, port, logFile);
  try {
    await waitReady(server);
  } catch (error) {
    await stopProcess(server.child);
    throw error;
  }
  return server;
}

export const DRIVER_ENTRY = join(__dirname, 'driver.js');
export const RESULTS = join(ROOT, 'bench', 'results');
export const LOGS = join(RESULTS, 'logs');

export interface BenchDatabase {
  name: string;
  url: string;
  layout: Layout;
  callers: Caller[];
}

export const state = {
  databases: [] as string[],
  driver: undefined as ChildProcess | undefined,
  options: undefined as BenchOptions | undefined,
  cleaning: undefined as Promise<void> | undefined,
};

export const log = (message: string) =>
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);

export function appEnvironment(
  url: string,
  secrets: Secrets,
  options: BenchOptions,
  port?: number,
) {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    AUTH_JWT_ISSUER: BENCH_ISSUER,
    AUTH_JWT_AUDIENCE: BENCH_AUDIENCE,
    // The svc plane, for the check scenario's decisions.
    AUTH_SERVICE_AUDIENCE: BENCH_SERVICE_AUDIENCE,
    SERVICE_CLIENTS: JSON.stringify({
      [BENCH_CLIENT]: { rights: ['authz:check'], organizations: '*' },
    }),
    PUBLIC_BASE_URL: 'http://127.0.0.1',
    DATABASE_URL: url,
    DATABASE_POOL_SIZE: String(options.poolSize),
    AUTH_JWT_SECRET: secrets.bearer,
    SESSION_TOKEN_SECRET: secrets.session,
    ...(port === undefined ? {} : { PORT: String(port) }),
  };
}

export async function prepareDatabase(
  options: BenchOptions,
  secrets: Secrets,
  memberships: number,
  suffix: string,
): Promise<BenchDatabase> {
  const name = `uo_bench_${randomBytes(4).toString('hex')}${suffix}`;
  const started = Date.now();
  await createDatabase(options.serverUrl, name);
  state.databases.push(name);
  const url = databaseUrl(options.serverUrl, name);
  await runMigrations(APP_ROOT, appEnvironment(url, secrets, options));
  const layout: Layout = {
    memberships,
    organizations: Math.min(options.organizations, memberships),
    groupsPerOrganization: 4,
    professions: 20,
  };
  const callers = await seed(url, layout, options.callersPerOrganization, secrets);
  log(
    `database ${name}: ${memberships.toLocaleString('en')} memberships in ` +
      `${layout.organizations} organizations, ${callers.length} callers with a session, ` +
      `ready in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  return { name, url, layout, callers };
}
