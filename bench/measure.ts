/**
 * One measured run: a fresh server process, a smoke PATCH and the warm-up, then the load and
 * what it cost the server and the database.
 */
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { LoadResult, RunMessage } from './driver';
import { PATCH_PATH, Scenario, Target } from './lib/layout';
import { BenchOptions } from './lib/options';
import { cpuSeconds, databaseServerPid, memoryMb, sampleRss, stopProcess } from './lib/processes';
import { Secrets, resetScopes } from './lib/seed';
import { BenchDatabase, LOGS, NodeBinary, startReadyTarget, state } from './shared';

export interface RunRecord extends LoadResult {
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

export async function measure(
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
  const logFile = join(
    LOGS,
    `${database.name}-${scenario}-${target}-node${node.version.replace(/[^\w.-]+/g, '-')}-r${round}.log`,
  );
  const server = await startReadyTarget(
    target,
    node.path,
    cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`] : [],
    database.url,
    secrets,
    options,
    options.appEnv,
    logFile,
  );
  const port = server.port;
  try {
    await smokeTest(port, database, target);
    const message: Omit<RunMessage, 'duration' | 'resetState'> = {
      type: 'run',
      url: `http://127.0.0.1:${port}`,
      scenario,
      connections: options.connections,
      layout: database.layout,
      callers: database.callers,
      rate: options.rate,
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
