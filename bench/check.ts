/**
 * `npm run bench -- --scenarios check`: the decision point's evaluation (DESIGN 14) beside the
 * GET of one membership and beside the framework floor sending the same facts statement
 * (baselines/check-statement.ts), at the two --scale-sizes. An evaluation should cost no more
 * than that GET and stay flat as the table grows; the floor says what the stack alone costs.
 */
import type { BenchOptions } from './lib/options';
import { CHECK_SCENARIOS, type Scenario, type Target } from './lib/layout';
import type { Secrets } from './lib/seed';
import { RunRecord, measure } from './measure';
import { Summary, describe, fixed, summarizeRuns, table } from './report';
import { NodeBinary, log, prepareDatabase } from './shared';

export async function checkBench(options: BenchOptions, secrets: Secrets, node: NodeBinary) {
  const sizes = options.scaleSizes;
  const databases = [];
  for (const [index, size] of sizes.entries()) {
    databases.push(await prepareDatabase(options, secrets, size, `_c${index}`));
  }
  const records: RunRecord[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    for (const database of databases) {
      // The order alternates each round, so no run always comes on a warmer cache.
      const runs: [Target, Scenario][] = [
        ...CHECK_SCENARIOS.map((scenario): [Target, Scenario] => ['app', scenario]),
        ['framework', 'check'],
      ];
      for (const [target, scenario] of round % 2 === 0 ? runs.reverse() : runs) {
        const record = await measure(options, secrets, database, target, scenario, round, node);
        records.push(record);
        log(`${database.layout.memberships.toLocaleString('en').padStart(9)}: ${describe(record)}`);
      }
    }
  }
  const summaries = summarizeRuns(records);
  const at = (scenario: string, size: number, target: Target = 'app') =>
    summaries.find(
      (s) => s.scenario === scenario && s.memberships === size && s.target === target,
    ) as Summary;
  const name = (s: Summary) =>
    s.target === 'framework'
      ? 'evaluation, framework floor'
      : s.scenario === 'check'
        ? 'evaluation'
        : 'GET membership';
  console.log(
    `\nDecisions beside the GET: ${options.connections} connections, ${options.duration} s per ` +
      `run, medians of ${options.rounds} rounds, Node ${node.version}\n`,
  );
  console.log(
    table(
      ['scenario', 'memberships', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'CPU ms/req'],
      summaries.map((s) => [
        name(s),
        s.memberships.toLocaleString('en'),
        s.requestsPerSecond.toFixed(0),
        String(s.p50),
        String(s.p99),
        String(s.non2xx),
        fixed(s.cpuMsPerRequest, 3),
      ]),
    ),
  );
  const [small, large] = sizes;
  const cpu = (summary: Summary) => summary.cpuMsPerRequest ?? NaN;
  const comparison = sizes.map((size) => ({
    memberships: size,
    throughputRatio: at('check', size).requestsPerSecond / at('get', size).requestsPerSecond,
    cpuRatio: cpu(at('check', size)) / cpu(at('get', size)),
    floorThroughputRatio:
      at('check', size).requestsPerSecond / at('check', size, 'framework').requestsPerSecond,
    floorCpuRatio: cpu(at('check', size)) / cpu(at('check', size, 'framework')),
  }));
  const flat = at('check', large).p50 / at('check', small).p50;
  console.log('');
  for (const c of comparison) {
    console.log(
      `${c.memberships.toLocaleString('en')}: evaluations/s over GETs/s ${c.throughputRatio.toFixed(2)}, ` +
        `CPU per evaluation over CPU per GET ${c.cpuRatio.toFixed(2)}; over the framework ` +
        `floor: evaluations/s ${c.floorThroughputRatio.toFixed(2)}, CPU ${c.floorCpuRatio.toFixed(2)}`,
    );
  }
  console.log(
    `evaluation p50 at ${large.toLocaleString('en')} / at ${small.toLocaleString('en')}: ${flat.toFixed(2)}`,
  );
  return { summaries, comparison, p50Ratio: flat, records };
}
