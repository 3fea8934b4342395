/** What the runs printed and written come to: medians per target, tables, ratios. */
import { cpus } from 'node:os';
import { CHECK_SCENARIOS, SCENARIOS, Scenario, Target } from './lib/layout';
import { BenchOptions } from './lib/options';
import { RunRecord } from './measure';

export interface Summary {
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

/** The middle value; for an even count, the mean of the two middle ones. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const nullableMedian = (values: (number | null)[]) => {
  const known = values.filter((value): value is number => value !== null);
  return known.length ? median(known) : null;
};

export function describe(record: RunRecord): string {
  const codes = Object.entries(record.statusCodes)
    .filter(([code]) => !code.startsWith('2'))
    .map(([code, count]) => `${code}x${count}`)
    .join(' ');
  return (
    `round ${record.round} node ${record.node} ${record.scenario.padEnd(7)} ` +
    `${record.target.padEnd(18)} ` +
    `${record.requestsPerSecond.toFixed(0).padStart(5)} req/s  p50 ${record.p50} ms  ` +
    `p99 ${record.p99} ms  non-2xx ${record.non2xx}${codes ? ` (${codes})` : ''}` +
    `${record.errors ? `  errors ${record.errors}` : ''}  ` +
    `cpu ${record.cpuMsPerRequest?.toFixed(3) ?? '?'} ms/req  ` +
    `rss ${record.peakRssMb?.toFixed(0) ?? '?'} MB  load ${record.loadAverage.toFixed(1)}`
  );
}

export function summarizeRuns(records: RunRecord[]): Summary[] {
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

export function table(header: string[], rows: string[][], left = 2): string {
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

export const fixed = (value: number | null, digits: number) =>
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
  ['app', 'app-no-log'],
  ['app', 'app-no-rate-limits'],
  ['app', 'reference'],
  ['app', 'same-work'],
  ['app', 'framework'],
  ['framework', 'same-work'],
];

export function ratios(summaries: Summary[], records: RunRecord[]): Ratio[] {
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
  const ORDER: readonly Scenario[] = [...SCENARIOS, ...CHECK_SCENARIOS];
  return result.sort(
    (a, b) => ORDER.indexOf(a.scenario) - ORDER.indexOf(b.scenario) || a.node.localeCompare(b.node),
  );
}

export function printResults(
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
