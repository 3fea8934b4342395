/**
 * `npm run bench`: the PATCH under load, the built app against two framework-free baselines in
 * the same run (see bench/README.md). Everything it starts stops with it; its databases are
 * dropped at the end.
 */
import { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { ProfileSummary, formatSummary, summarize } from './cpu-profile-summary';
import { eventsBench } from './events';
import type { LoadResult, RunMessage } from './driver';
import { Caller, Layout, PATCH_PATH, SCENARIOS, Scenario, Target } from './lib/layout';
import { BenchOptions, USAGE, parseOptions } from './lib/options';
import { requestFor } from './lib/scenarios';
import { StatementProxy, normalizeStatement } from './lib/statement-proxy';
import {
  cpuSeconds,
  databaseServerPid,
  forkDriver,
  freePort,
  killAll,
  memoryMb,
  sampleRss,
  startServer,
  stopProcess,
  waitReady,
} from './lib/processes';
import {
  Secrets,
  createDatabase,
  databaseUrl,
  dropDatabase,
  newSecrets,
  resetScopes,
  runMigrations,
  seed,
  withConnection,
} from './lib/seed';

const ROOT = resolve(__dirname, '..', '..');
let APP_ROOT = ROOT;
const appEntry = () => join(APP_ROOT, 'dist', 'main.js');

/** Node's flags for the app as `npm run start:prod` gives them (its heap cap, say). */
function appNodeArguments(): string[] {
  const given = state.options?.appFlags;
  if (given !== undefined) return given.split(/\s+/).filter((flag) => flag.length > 0);
  const manifest = JSON.parse(readFileSync(join(APP_ROOT, 'package.json'), 'utf8')) as {
    scripts?: Record<string, string>;
  };
  const command = /^node\s+(.*?)\s*dist\/main\.js$/.exec(manifest.scripts?.['start:prod'] ?? '');
  return command ? command[1].split(/\s+/).filter((flag) => flag.length > 0) : [];
}
/** A Node binary the targets run under, and its version (the label of its runs). */
interface NodeBinary {
  path: string;
  version: string;
}

function nodeBinary(path: string): NodeBinary {
  const version = execFileSync(path, ['--version']).toString().trim();
  return { path, version };
}

const isApp = (target: Target) => target === 'app' || target === 'app-no-metrics';
/** What the app-no-metrics target changes: the price of the metrics is the difference. */
const TARGET_ENV: Partial<Record<Target, Record<string, string>>> = {
  'app-no-metrics': { METRICS_ENABLED: 'false' },
};

const BASELINE_ENTRY = join(__dirname, 'baselines', 'server.js');
const FRAMEWORK_ENTRY = join(__dirname, 'baselines', 'framework-server.js');
const baselineEntry = (target: Target) =>
  target === 'framework' ? FRAMEWORK_ENTRY : BASELINE_ENTRY;
const DRIVER_ENTRY = join(__dirname, 'driver.js');
const RESULTS = join(ROOT, 'bench', 'results');
const LOGS = join(RESULTS, 'logs');

interface BenchDatabase {
  name: string;
  url: string;
  layout: Layout;
  callers: Caller[];
}

interface RunRecord extends LoadResult {
  round: number;
  /** The version of the Node binary the server ran under. */
  node: string;
  scenario: Scenario;
  target: Target;
  memberships: number;
  /** CPU of the server process during the measured seconds, per completed request. */
  cpuMsPerRequest: number | null;
  /** CPU of the database server meanwhile, per request (shared machine: indicative). */
  databaseCpuMsPerRequest: number | null;
  /** Highest VmRSS sampled during the measured seconds. */
  rssUnderLoadMb: number | null;
  /** VmHWM at the end: the process's peak resident set since it started. */
  peakRssMb: number | null;
  /** 1-minute load average when the measured seconds began (other work on the machine). */
  loadAverage: number;
  /** The measured seconds on the monotonic clock, in microseconds (to cut a CPU profile). */
  windowUs: { startUs: number; endUs: number };
}

interface Summary {
  node: string;
  scenario: Scenario;
  target: Target;
  memberships: number;
  runs: number;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  peakRssMb: number | null;
  cpuMsPerRequest: number | null;
  databaseCpuMsPerRequest: number | null;
}

const state = {
  databases: [] as string[],
  driver: undefined as ChildProcess | undefined,
  options: undefined as BenchOptions | undefined,
  cleaning: undefined as Promise<void> | undefined,
};

const log = (message: string) =>
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const nullableMedian = (values: (number | null)[]) => {
  const known = values.filter((value): value is number => value !== null);
  return known.length ? median(known) : null;
};

function appEnvironment(url: string, secrets: Secrets, options: BenchOptions, port?: number) {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    DATABASE_URL: url,
    DATABASE_POOL_SIZE: String(options.poolSize),
    AUTH_JWT_SECRET: secrets.bearer,
    SESSION_TOKEN_SECRET: secrets.session,
    ...(port === undefined ? {} : { PORT: String(port) }),
  };
}

async function prepareDatabase(
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

function drive(message: RunMessage): Promise<LoadResult> {
  const driver = state.driver;
  if (!driver) throw new Error('no driver');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => done(new Error('the load driver did not answer')),
      (message.duration + 60) * 1000,
    );
    const onMessage = (reply: { type: string; result?: LoadResult; message?: string }) => {
      if (reply.type === 'result' && reply.result) done(null, reply.result);
      else if (reply.type === 'error') done(new Error(`load driver: ${reply.message}`));
    };
    const onExit = () => done(new Error('the load driver exited'));
    function done(error: Error | null, result?: LoadResult) {
      clearTimeout(timer);
      driver?.off('message', onMessage);
      driver?.off('exit', onExit);
      if (error) reject(error);
      else resolve(result as LoadResult);
    }
    driver.on('message', onMessage);
    driver.once('exit', onExit);
    driver.send(message);
  });
}

/** One PATCH before the load: the server must answer 200 with the app's body and an ETag. */
async function smokeTest(port: number, database: BenchDatabase, target: Target): Promise<void> {
  const caller = database.callers[0];
  const response = await fetch(`http://127.0.0.1:${port}${PATCH_PATH}${caller.userId}`, {
    method: 'PATCH',
    headers: {
      authorization: `Bearer ${caller.bearerToken}`,
      'x-session-token': caller.sessionToken,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ firstName: `Smoke${Date.now()}` }),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  const body = (() => {
    try {
      return JSON.parse(text) as { data?: { userId?: unknown; permissions?: unknown } };
    } catch {
      return {};
    }
  })();
  if (
    response.status !== 200 ||
    !response.headers.get('etag') ||
    body.data?.userId !== caller.userId ||
    typeof body.data.permissions !== 'object'
  ) {
    throw new Error(
      `${target}: the smoke PATCH answered ${response.status}: ${text.slice(0, 500)}`,
    );
  }
}

async function measure(
  options: BenchOptions,
  secrets: Secrets,
  database: BenchDatabase,
  target: Target,
  scenario: Scenario,
  round: number,
  node: NodeBinary,
  cpuProfileDir?: string,
): Promise<RunRecord> {
  if (scenario === 'scope') await resetScopes(database.url, database.layout);
  const port = await freePort();
  const env = { ...appEnvironment(database.url, secrets, options, port) };
  const logFile = join(
    LOGS,
    `${database.name}-${scenario}-${target}-node${node.version.replace(/[^\w.-]+/g, '-')}-r${round}.log`,
  );
  const server = isApp(target)
    ? startServer(
        target,
        node.path,
        [
          ...appNodeArguments(),
          ...(cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`] : []),
        ],
        appEntry(),
        [],
        { ...env, ...options.appEnv, ...TARGET_ENV[target] },
        port,
        logFile,
        APP_ROOT,
      )
    : startServer(
        target,
        node.path,
        cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`] : [],
        baselineEntry(target),
        [target],
        env,
        port,
        logFile,
        ROOT,
      );
  try {
    await waitReady(server);
    await smokeTest(port, database, target);
    const message: Omit<RunMessage, 'duration' | 'resetState'> = {
      type: 'run',
      url: `http://127.0.0.1:${port}`,
      scenario,
      connections: options.connections,
      layout: database.layout,
      callers: database.callers,
    };
    if (options.warmup > 0) await drive({ ...message, duration: options.warmup, resetState: true });
    const pid = server.child.pid;
    const databasePid = databaseServerPid();
    const loadAverage = loadavg()[0];
    const cpuBefore = cpuSeconds(pid);
    const databaseCpuBefore = cpuSeconds(databasePid);
    const stopSampling = sampleRss(pid);
    const startUs = Number(process.hrtime.bigint() / 1000n);
    const result = await drive({
      ...message,
      duration: options.duration,
      resetState: options.warmup <= 0,
    });
    const endUs = Number(process.hrtime.bigint() / 1000n);
    const cpuAfter = cpuSeconds(pid);
    const databaseCpuAfter = cpuSeconds(databasePid);
    const rssUnderLoadMb = stopSampling();
    const perRequest = (before: number | null, after: number | null) =>
      before === null || after === null || result.requests === 0
        ? null
        : ((after - before) * 1000) / result.requests;
    return {
      round,
      node: node.version,
      scenario,
      target,
      memberships: database.layout.memberships,
      ...result,
      cpuMsPerRequest: perRequest(cpuBefore, cpuAfter),
      databaseCpuMsPerRequest: perRequest(databaseCpuBefore, databaseCpuAfter),
      rssUnderLoadMb,
      peakRssMb: memoryMb(pid, 'VmHWM'),
      loadAverage,
      windowUs: { startUs, endUs },
    };
  } finally {
    await stopProcess(server.child);
  }
}

function describe(record: RunRecord): string {
  const codes = Object.entries(record.statusCodes)
    .filter(([code]) => !code.startsWith('2'))
    .map(([code, count]) => `${code}x${count}`)
    .join(' ');
  return (
    `round ${record.round} node ${record.node} ${record.scenario.padEnd(7)} ` +
    `${record.target.padEnd(14)} ` +
    `${record.requestsPerSecond.toFixed(0).padStart(5)} req/s  p50 ${record.p50} ms  ` +
    `p99 ${record.p99} ms  non-2xx ${record.non2xx}${codes ? ` (${codes})` : ''}` +
    `${record.errors ? `  errors ${record.errors}` : ''}  ` +
    `cpu ${record.cpuMsPerRequest?.toFixed(3) ?? '?'} ms/req  ` +
    `rss ${record.peakRssMb?.toFixed(0) ?? '?'} MB  load ${record.loadAverage.toFixed(1)}`
  );
}

function summarizeRuns(records: RunRecord[]): Summary[] {
  const groups = new Map<string, RunRecord[]>();
  for (const record of records) {
    const key = `${record.node}|${record.memberships}|${record.scenario}|${record.target}`;
    groups.set(key, [...(groups.get(key) ?? []), record]);
  }
  return [...groups.values()].map((runs) => {
    const peaks = runs.map((run) => run.peakRssMb).filter((peak): peak is number => peak !== null);
    return {
      node: runs[0].node,
      scenario: runs[0].scenario,
      target: runs[0].target,
      memberships: runs[0].memberships,
      runs: runs.length,
      requestsPerSecond: median(runs.map((run) => run.requestsPerSecond)),
      p50: median(runs.map((run) => run.p50)),
      p99: median(runs.map((run) => run.p99)),
      non2xx: runs.reduce((sum, run) => sum + run.non2xx, 0),
      errors: runs.reduce((sum, run) => sum + run.errors + run.timeouts, 0),
      peakRssMb: peaks.length ? Math.max(...peaks) : null,
      cpuMsPerRequest: nullableMedian(runs.map((run) => run.cpuMsPerRequest)),
      databaseCpuMsPerRequest: nullableMedian(runs.map((run) => run.databaseCpuMsPerRequest)),
    };
  });
}

function table(header: string[], rows: string[][], left = 2): string {
  const widths = header.map((title, i) =>
    Math.max(title.length, ...rows.map((row) => row[i].length)),
  );
  const line = (cells: string[]) =>
    '| ' +
    cells
      .map((cell, i) => (i < left ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
      .join(' | ') +
    ' |';
  return [
    line(header),
    '|' +
      widths
        .map((w, i) => (i < left ? ':' : '-') + '-'.repeat(w) + (i < left ? '-' : ':'))
        .join('|') +
      '|',
    ...rows.map(line),
  ].join('\n');
}

const fixed = (value: number | null, digits: number) =>
  value === null ? '?' : value.toFixed(digits);

interface Ratio {
  node: string;
  scenario: Scenario;
  target: Target;
  of: Target;
  requestsPerSecond: number;
  cpuPerRequest: number | null;
  perRound: number[];
}

/**
 * The ratios printed, each where both targets ran: the app against each baseline, and the
 * framework floor against same-work (the most any app on DESIGN's stack can reach).
 */
const RATIOS: [Target, Target][] = [
  ['app', 'app-no-metrics'],
  ['app', 'reference'],
  ['app', 'same-work'],
  ['app', 'framework'],
  ['framework', 'same-work'],
];

function ratios(summaries: Summary[], records: RunRecord[]): Ratio[] {
  const result: Ratio[] = [];
  for (const [target, of] of RATIOS) {
    for (const subject of summaries.filter((summary) => summary.target === target)) {
      const { scenario, node } = subject;
      const same = (r: { scenario: Scenario; node: string }) =>
        r.scenario === scenario && r.node === node;
      const base = summaries.find((s) => same(s) && s.target === of);
      if (!base) continue;
      const perRound: number[] = [];
      for (const run of records.filter((r) => same(r) && r.target === target)) {
        const other = records.find((r) => same(r) && r.target === of && r.round === run.round);
        if (other) perRound.push(run.requestsPerSecond / other.requestsPerSecond);
      }
      result.push({
        node,
        scenario,
        target,
        of,
        requestsPerSecond: subject.requestsPerSecond / base.requestsPerSecond,
        cpuPerRequest:
          subject.cpuMsPerRequest !== null && base.cpuMsPerRequest
            ? subject.cpuMsPerRequest / base.cpuMsPerRequest
            : null,
        perRound,
      });
    }
  }
  return result.sort(
    (a, b) =>
      SCENARIOS.indexOf(a.scenario) - SCENARIOS.indexOf(b.scenario) || a.node.localeCompare(b.node),
  );
}

function printResults(
  summaries: Summary[],
  list: Ratio[],
  options: BenchOptions,
  records: RunRecord[],
): void {
  console.log(
    `\nPATCH load: ${options.connections} connections, ${options.duration} s per run ` +
      `(+${options.warmup} s warm-up), medians of ${options.rounds} rounds, ` +
      `${summaries[0]?.memberships.toLocaleString('en')} memberships, ${cpus().length} CPUs\n`,
  );
  console.log(
    table(
      [
        'scenario',
        'node',
        'target',
        'req/s',
        'p50 ms',
        'p99 ms',
        'non-2xx',
        'errors',
        'peak RSS MB',
        'CPU ms/req',
        'DB CPU ms/req',
      ],
      summaries.map((s) => [
        s.scenario,
        s.node,
        s.target,
        s.requestsPerSecond.toFixed(0),
        String(s.p50),
        String(s.p99),
        String(s.non2xx),
        String(s.errors),
        fixed(s.peakRssMb, 0),
        fixed(s.cpuMsPerRequest, 3),
        fixed(s.databaseCpuMsPerRequest, 3),
      ]),
      3,
    ),
  );
  console.log('');
  console.log(
    table(
      ['scenario', 'node', 'ratio', 'req/s ratio', 'per round', 'CPU/req ratio'],
      list.map((r) => [
        r.scenario,
        r.node,
        `${r.target} / ${r.of}`,
        r.requestsPerSecond.toFixed(2),
        r.perRound.map((value) => value.toFixed(2)).join(' '),
        fixed(r.cpuPerRequest, 2),
      ]),
      3,
    ),
  );
  const loads = records.map((record) => record.loadAverage);
  console.log(
    `\n1-minute load average at the start of the measured runs: ${Math.min(...loads).toFixed(1)}` +
      ` to ${Math.max(...loads).toFixed(1)} (the bench itself accounts for about 3 on ` +
      `${cpus().length} CPUs; more means other work shared the machine)`,
  );
}

function rotate<T>(items: T[], by: number): T[] {
  const shift = by % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}

interface ProfiledRun {
  target: Target;
  file: string;
  summary: ProfileSummary;
  record: RunRecord;
}

/**
 * The app, the same-work baseline and (when it is among the targets) the framework floor, each
 * under `node --cpu-prof` for one profile-scenario run; self time of the measured seconds only,
 * per layer in microseconds per request, side by side.
 */
async function cpuProfile(
  options: BenchOptions,
  secrets: Secrets,
  database: BenchDatabase,
  node: NodeBinary,
): Promise<ProfiledRun[]> {
  const runs: ProfiledRun[] = [];
  const targets: Target[] = ['app', 'same-work'];
  if (options.targets.includes('framework')) targets.push('framework');
  for (const target of targets) {
    const dir = join(
      RESULTS,
      'profiles',
      `${database.name}-${target}-node${node.version.replace(/[^\w.-]+/g, '-')}`,
    );
    mkdirSync(dir, { recursive: true });
    log(`CPU profile of ${target} on Node ${node.version}, profile scenario (node --cpu-prof)`);
    const record = await measure(options, secrets, database, target, 'profile', 0, node, dir);
    log(describe(record));
    const file = readdirSync(dir)
      .filter((name) => name.endsWith('.cpuprofile'))
      .map((name) => join(dir, name))
      .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
    if (!file) throw new Error(`no .cpuprofile was written in ${dir}`);
    runs.push({ target, file, summary: summarize(file, record.windowUs), record });
  }
  const perRequest = (run: ProfiledRun, layer: string) =>
    ((run.summary.layers.find((share) => share.name === layer)?.ms ?? 0) * 1000) /
    run.record.requests;
  const layers = [...new Set(runs.flatMap((run) => run.summary.layers.map((l) => l.name)))];
  console.log(
    `\nWhere the time goes on Node ${node.version}, profile scenario, ` +
      `${options.duration} measured seconds ` +
      '(V8 sampling profiler, self time; wall-clock samples, so on a loaded machine they also ' +
      'count time the thread was descheduled, mostly inside socket writes)\n',
  );
  console.log(
    table(
      ['layer', ...runs.map((run) => `${run.target} µs/req`)],
      [
        ...layers
          .map((layer) => ({ layer, values: runs.map((run) => perRequest(run, layer)) }))
          .sort((a, b) => b.values[0] - a.values[0])
          .map(({ layer, values }) => [layer, ...values.map((value) => value.toFixed(0))]),
        [
          'total busy',
          ...runs.map((run) => ((run.summary.busyMs * 1000) / run.record.requests).toFixed(0)),
        ],
        [
          'CPU (/proc) per request',
          ...runs.map((run) =>
            fixed(run.record.cpuMsPerRequest && run.record.cpuMsPerRequest * 1000, 0),
          ),
        ],
      ],
      1,
    ),
  );
  const [app, ...baselines] = runs;
  console.log(`\nApp profile ${app.file}\n`);
  console.log(formatSummary(app.summary, 30));
  for (const baseline of baselines) {
    console.log(`\n${baseline.target} profile ${baseline.file}: top 15 functions`);
    console.log(formatSummary({ ...baseline.summary, layers: [], packages: [] }, 15));
  }
  return runs;
}

/** Starts `target` behind the statement proxy and records what one request of `scenario` sends. */
async function traceStatements(
  options: BenchOptions,
  secrets: Secrets,
  database: BenchDatabase,
  target: Target,
  scenario: Scenario,
): Promise<string[]> {
  if (scenario === 'scope') await resetScopes(database.url, database.layout);
  const upstream = new URL(options.serverUrl);
  const proxy = new StatementProxy(upstream.hostname, Number(upstream.port || 3306));
  const proxyPort = await proxy.listen();
  const proxied = new URL(database.url);
  proxied.hostname = '127.0.0.1';
  proxied.port = String(proxyPort);
  const port = await freePort();
  const env = appEnvironment(proxied.toString(), secrets, options, port);
  const logFile = join(LOGS, `${database.name}-trace-${scenario}-${target}.log`);
  const server =
    target === 'app'
      ? startServer(
          target,
          process.execPath,
          appNodeArguments(),
          appEntry(),
          [],
          { ...env, ...options.appEnv },
          port,
          logFile,
          APP_ROOT,
        )
      : startServer(
          target,
          process.execPath,
          [],
          baselineEntry(target),
          [target],
          env,
          port,
          logFile,
          ROOT,
        );
  try {
    await waitReady(server);
    // Two requests: the first may include one-time work (connections, prepared statements).
    let commands: string[] = [];
    for (let i = 0; i < 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      proxy.clear();
      const template = requestFor(scenario, database.layout, database.callers);
      const context: Record<string, unknown> = {};
      const request = template.setupRequest?.({ ...template, headers: {} }, context) ?? template;
      const response = await fetch(`http://127.0.0.1:${port}${request.path ?? '/'}`, {
        method: request.method ?? 'PATCH',
        headers: request.headers,
        body: request.body,
        signal: AbortSignal.timeout(10_000),
      });
      const text = await response.text();
      template.onResponse?.(response.status, text, context, {});
      if (response.status !== 200) {
        throw new Error(
          `${target} ${scenario}: the traced PATCH answered ${response.status}: ${text}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
      commands = proxy.commands.map((command) => command.text);
    }
    return commands;
  } finally {
    await stopProcess(server.child);
    await proxy.close();
  }
}

interface StatementTrace {
  scenario: Scenario;
  app: string[];
  sameWork: string[];
  reference: string[];
  sameWorkMatches: boolean;
}

async function traceAll(
  options: BenchOptions,
  secrets: Secrets,
  database: BenchDatabase,
): Promise<StatementTrace[]> {
  const traces: StatementTrace[] = [];
  console.log('\nStatements one PATCH sends, read off the wire (second request of each server):');
  for (const scenario of options.scenarios) {
    const app = await traceStatements(options, secrets, database, 'app', scenario);
    const sameWork = await traceStatements(options, secrets, database, 'same-work', scenario);
    const reference = await traceStatements(options, secrets, database, 'reference', scenario);
    const sameWorkMatches =
      app.map(normalizeStatement).join('\n') === sameWork.map(normalizeStatement).join('\n');
    traces.push({ scenario, app, sameWork, reference, sameWorkMatches });
    const short = (text: string) => (text.length > 150 ? `${text.slice(0, 147)}...` : text);
    console.log(
      `\n  ${scenario}: app ${app.length}, same-work ${sameWork.length}, reference ${reference.length}`,
    );
    for (const text of app) console.log(`    app: ${short(text)}`);
    if (sameWorkMatches) {
      console.log('    same-work: the same statements');
    } else {
      console.log(
        '    same-work DIFFERS from the app: update bench/baselines/same-work-statements.ts',
      );
      for (const text of sameWork) console.log(`    same-work: ${short(text)}`);
    }
  }
  console.log('');
  return traces;
}

const profileJson = (run: ProfiledRun) => ({
  target: run.target,
  file: run.file,
  requests: run.record.requests,
  cpuMsPerRequest: run.record.cpuMsPerRequest,
  busyMs: run.summary.busyMs,
  layers: run.summary.layers,
  packages: run.summary.packages.slice(0, 30),
  functions: run.summary.functions.slice(0, 50),
});

async function mainBench(options: BenchOptions, secrets: Secrets, nodes: NodeBinary[]) {
  const database = await prepareDatabase(options, secrets, options.memberships, '');
  const statements = await traceAll(options, secrets, database);
  const runs = options.rounds * options.scenarios.length * options.targets.length * nodes.length;
  log(
    `${runs} runs, about ${Math.ceil((runs * (options.duration + options.warmup + 4)) / 60)} min`,
  );
  const records: RunRecord[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    for (const scenario of options.scenarios) {
      // The order of the targets (and Nodes) rotates each round, so that drift favours none.
      for (const node of rotate(nodes, round - 1)) {
        for (const target of rotate(options.targets, round - 1)) {
          const record = await measure(options, secrets, database, target, scenario, round, node);
          records.push(record);
          log(describe(record));
        }
      }
    }
  }
  const summaries = summarizeRuns(records).sort(
    (a, b) =>
      options.scenarios.indexOf(a.scenario) - options.scenarios.indexOf(b.scenario) ||
      a.node.localeCompare(b.node) ||
      options.targets.indexOf(a.target) - options.targets.indexOf(b.target),
  );
  const list = ratios(summaries, records);
  printResults(summaries, list, options, records);
  const profile: ProfiledRun[] = [];
  if (options.cpuProf) {
    for (const node of nodes) profile.push(...(await cpuProfile(options, secrets, database, node)));
  }
  return {
    statements,
    summaries,
    ratios: list,
    records,
    cpuProfiles: profile.map(profileJson),
  };
}

/** --scale measures under the first --node only: it compares sizes, not Nodes. */
async function scaleBench(options: BenchOptions, secrets: Secrets, node: NodeBinary) {
  const [small, large] = options.scaleSizes;
  const databases = [
    await prepareDatabase(options, secrets, small, '_s'),
    await prepareDatabase(options, secrets, large, '_l'),
  ];
  const runs = options.rounds * 2 * options.targets.length;
  log(
    `${runs} runs, about ${Math.ceil((runs * (options.duration + options.warmup + 4)) / 60)} min`,
  );
  const records: RunRecord[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    for (const database of rotate(databases, round - 1)) {
      for (const target of rotate(options.targets, round - 1)) {
        const record = await measure(options, secrets, database, target, 'profile', round, node);
        records.push(record);
        log(`${database.layout.memberships.toLocaleString('en').padStart(9)}: ${describe(record)}`);
      }
    }
  }
  const summaries = summarizeRuns(records).sort(
    (a, b) =>
      options.targets.indexOf(a.target) - options.targets.indexOf(b.target) ||
      a.memberships - b.memberships,
  );
  console.log(
    `\nScaling, profile scenario: ${options.connections} connections, ${options.duration} s per run, ` +
      `medians of ${options.rounds} rounds\n`,
  );
  console.log(
    table(
      [
        'target',
        'memberships',
        'req/s',
        'p50 ms',
        'p99 ms',
        'non-2xx',
        'CPU ms/req',
        'DB CPU ms/req',
      ],
      summaries.map((s) => [
        s.target,
        s.memberships.toLocaleString('en'),
        s.requestsPerSecond.toFixed(0),
        String(s.p50),
        String(s.p99),
        String(s.non2xx),
        fixed(s.cpuMsPerRequest, 3),
        fixed(s.databaseCpuMsPerRequest, 3),
      ]),
    ),
  );
  const scaling = options.targets.map((target) => {
    const at = (size: number) =>
      summaries.find((s) => s.target === target && s.memberships === size) as Summary;
    return {
      target,
      p50Ratio: at(large).p50 / at(small).p50,
      p99Ratio: at(large).p99 / at(small).p99,
      requestsPerSecondRatio: at(large).requestsPerSecond / at(small).requestsPerSecond,
    };
  });
  console.log('');
  for (const s of scaling) {
    console.log(
      `${s.target}: p50 at ${large.toLocaleString('en')} / p50 at ${small.toLocaleString('en')} = ` +
        `${s.p50Ratio.toFixed(2)}; p99 ratio ${s.p99Ratio.toFixed(2)}; req/s ratio ` +
        `${s.requestsPerSecondRatio.toFixed(2)}`,
    );
  }
  const profile = options.cpuProf
    ? await cpuProfile(options, secrets, databases[1], node)
    : undefined;
  return { summaries, scaling, records, cpuProfiles: profile?.map(profileJson) };
}

async function cleanup(): Promise<void> {
  state.cleaning ??= (async () => {
    killAll();
    const options = state.options;
    if (options && !options.keepDatabase) {
      for (const name of state.databases) {
        await dropDatabase(options.serverUrl, name).catch((error: Error) =>
          console.error(`could not drop ${name}: ${error.message}`),
        );
      }
    } else if (state.databases.length) {
      console.log(`kept database(s): ${state.databases.join(', ')}`);
    }
  })();
  return state.cleaning;
}

async function main(): Promise<void> {
  const parsed = parseOptions(process.argv.slice(2));
  if (parsed === 'help') {
    console.log(USAGE);
    return;
  }
  const options = parsed;
  state.options = options;
  if (options.appRoot) APP_ROOT = resolve(options.appRoot);
  if (!existsSync(appEntry())) throw new Error(`${appEntry()} is missing: run npm run build first`);
  mkdirSync(LOGS, { recursive: true });
  for (const name of readdirSync(LOGS)) rmSync(join(LOGS, name), { force: true });
  const serverVersion = await withConnection(options.serverUrl, async (c) => {
    const [rows] = await c.query('SELECT VERSION() AS `version`');
    return (rows as { version: string }[])[0].version;
  });
  const nodes = options.nodes.map(nodeBinary);
  // The same Node twice (a wrapper script with other flags, say): told apart by file name.
  const versions = nodes.map((node) => node.version);
  for (const node of nodes) {
    if (versions.filter((version) => version === node.version).length > 1) {
      node.version = `${node.version} ${basename(node.path)}`;
    }
  }
  log(
    `database server ${serverVersion}; targets on Node ${nodes.map((n) => n.version).join(', ')}` +
      ` (the bench itself on ${process.version}); ${cpus().length} CPUs`,
  );
  const secrets = newSecrets();
  state.driver = forkDriver(DRIVER_ENTRY);
  const results = options.events
    ? {
        events: await eventsBench(options, {
          prepareDatabase: () => prepareDatabase(options, secrets, options.memberships, '_e'),
          measure: (database, appEnv, round, profileDir) =>
            measure(
              { ...options, appEnv: { ...options.appEnv, ...appEnv } },
              secrets,
              database,
              'app',
              'profile',
              round,
              nodes[0],
              profileDir,
            ),
          profile: async (database, appEnv) => {
            const dir = join(RESULTS, 'profiles', `${database.name}-events`);
            mkdirSync(dir, { recursive: true });
            const with_ = { ...options, appEnv: { ...options.appEnv, ...appEnv } };
            const record = await measure(
              with_,
              secrets,
              database,
              'app',
              'profile',
              0,
              nodes[0],
              dir,
            );
            const file = readdirSync(dir)
              .filter((name) => name.endsWith('.cpuprofile'))
              .map((name) => join(dir, name))
              .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
            console.log(`\nApp delivering webhooks, profile ${file}\n`);
            console.log(formatSummary(summarize(file, record.windowUs), 40));
          },
          log,
        }),
      }
    : options.scale
      ? { scale: await scaleBench(options, secrets, nodes[0]) }
      : { bench: await mainBench(options, secrets, nodes) };
  if (options.json) {
    const file = resolve(process.cwd(), options.json);
    writeFileSync(
      file,
      JSON.stringify(
        {
          date: new Date().toISOString(),
          node: process.version,
          targetNodes: nodes,
          cpus: cpus().length,
          databaseServer: serverVersion,
          options: { ...options, appEnv: Object.keys(options.appEnv) },
          ...results,
        },
        null,
        2,
      ),
    );
    log(`results written to ${file}`);
  }
}

process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    console.error(`\n${signal}: stopping`);
    void cleanup().finally(() => process.exit(130));
  });
}

void main()
  .catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  })
  .finally(() => cleanup().finally(() => process.exit()));
