import type { BenchOptions } from './lib/options';
import { withConnection } from './lib/seed';
import { median, table } from './report';

/**
 * The lag half of `npm run bench -- --events` (DESIGN 11): commit-to-arrival lag while the PATCH
 * runs at a fixed rate, half the app alone's saturated throughput measured in the same bench
 * run, delivering through the relay and by the bare POST; and the case of two instances: the
 * relay's lease held by instance A (started first, no load), every PATCH committed on instance B,
 * at half load and at saturation.
 */

export interface LagSample {
  requestsPerSecond: number;
  requests: number;
  delivered: number;
  /** Sorted, milliseconds. */
  lags: number[];
}

export interface LagBenchDeps {
  /** One measured run of the app (instance B when two) with its deliveries' lags. */
  run(variant: 'app+webhooks' | 'app+bare-post', round: number, rate?: number): Promise<LagSample>;
  /** Starts instance A delivering webhooks on the same database; resolves once it is ready. */
  startHolder(round: number): Promise<{ stop(): Promise<void> }>;
  log(message: string): void;
}

export const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];

type Case =
  | 'half-load webhooks'
  | 'half-load bare POST'
  | 'two instances, half load'
  | 'two instances, saturated';

/** Until instance A holds an unexpired lease: B, started after it, must find it taken. */
async function leaseHeld(url: string): Promise<void> {
  await withConnection(url, async (c) => {
    for (let tries = 0; tries < 100; tries++) {
      const [rows] = await c.query(
        "SELECT COUNT(*) AS `held` FROM `event_relay_leases` WHERE `name` = 'relay' " +
          'AND `expiresAt` > UTC_TIMESTAMP(3)',
      );
      if (Number((rows as { held: number | string }[])[0].held) === 1) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('instance A never took the relay lease');
  });
}

export async function lagBench(
  options: BenchOptions,
  databaseUrl: string,
  halfRate: number,
  deps: LagBenchDeps,
) {
  const samples = new Map<Case, LagSample[]>();
  const add = (name: Case, sample: LagSample, round: number) => {
    samples.set(name, [...(samples.get(name) ?? []), sample]);
    deps.log(
      `lag round ${round} ${name.padEnd(26)} ${sample.requestsPerSecond.toFixed(0)} req/s, ` +
        `${sample.delivered} deliveries for ${sample.requests} PATCHes, ` +
        `lag p50 ${percentile(sample.lags, 0.5)} ms, p99 ${percentile(sample.lags, 0.99)} ms`,
    );
  };
  for (let round = 1; round <= options.rounds; round++) {
    const variants = ['app+webhooks', 'app+bare-post'] as const;
    for (const variant of round % 2 === 1 ? variants : [...variants].reverse()) {
      const sample = await deps.run(variant, round, halfRate);
      add(variant === 'app+webhooks' ? 'half-load webhooks' : 'half-load bare POST', sample, round);
    }
    const holder = await deps.startHolder(round);
    try {
      await leaseHeld(databaseUrl);
      add('two instances, half load', await deps.run('app+webhooks', round, halfRate), round);
      add('two instances, saturated', await deps.run('app+webhooks', round), round);
    } finally {
      await holder.stop();
    }
  }
  const rows = [...samples].map(([name, list]) => {
    const lags = list.flatMap((sample) => sample.lags).sort((a, b) => a - b);
    return {
      name,
      requestsPerSecond: median(list.map((sample) => sample.requestsPerSecond)),
      delivered: list.reduce((sum, sample) => sum + sample.delivered, 0),
      requests: list.reduce((sum, sample) => sum + sample.requests, 0),
      lagP50Ms: percentile(lags, 0.5),
      lagP99Ms: percentile(lags, 0.99),
      lagMaxMs: lags.length === 0 ? NaN : lags[lags.length - 1],
      // A shared machine has bad rounds: each round's own p99 shows whether one made the whole.
      lagP99MsPerRound: list.map((sample) => percentile(sample.lags, 0.99)),
    };
  });
  console.log(
    `\nLag at a fixed rate of ${halfRate} PATCH/s (half the app alone's saturated median), and ` +
      `with two instances (relay lease on A, every PATCH on B); ${options.rounds} rounds, all ` +
      `deliveries of the measured windows together\n\n` +
      table(
        [
          'case',
          'req/s',
          'deliveries',
          'PATCHes',
          'lag p50 ms',
          'lag p99 ms',
          'lag max ms',
          'p99 per round',
        ],
        rows.map((row) => [
          row.name,
          row.requestsPerSecond.toFixed(0),
          String(row.delivered),
          String(row.requests),
          String(row.lagP50Ms),
          String(row.lagP99Ms),
          String(row.lagMaxMs),
          row.lagP99MsPerRound.join(', '),
        ]),
        1,
      ),
  );
  return { halfRate, cases: rows };
}
