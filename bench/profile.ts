/** `--cpu-prof`: runs under `node --cpu-prof` and where their time went. */
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ProfileSummary, formatSummary, summarize } from './cpu-profile-summary';
import { Target } from './lib/layout';
import { BenchOptions } from './lib/options';
import { Secrets } from './lib/seed';
import { RunRecord, measure } from './measure';
import { describe, fixed, table } from './report';
import { BenchDatabase, NodeBinary, RESULTS, log } from './shared';

export interface ProfiledRun {
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
export async function cpuProfile(
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

export const profileJson = (run: ProfiledRun) => ({
  target: run.target,
  file: run.file,
  requests: run.record.requests,
  cpuMsPerRequest: run.record.cpuMsPerRequest,
  busyMs: run.summary.busyMs,
  layers: run.summary.layers,
  packages: run.summary.packages.slice(0, 30),
  functions: run.summary.functions.slice(0, 50),
});
