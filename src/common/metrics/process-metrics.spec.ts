import { Registry } from 'prom-client';
import { DelayHistogram, processMetrics, registerEventLoopDelay } from './process-metrics';

/** Every sample of a registry's text, by name (no labels on these). */
async function samples(registry: Registry): Promise<Map<string, number>> {
  const text = await registry.metrics();
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^(\w+) (\S+)$/.exec(line);
    if (match) values.set(match[1], Number(match[2]));
  }
  return values;
}

const LAG = [
  'nodejs_eventloop_lag_min_seconds',
  'nodejs_eventloop_lag_max_seconds',
  'nodejs_eventloop_lag_mean_seconds',
  'nodejs_eventloop_lag_stddev_seconds',
  'nodejs_eventloop_lag_p50_seconds',
  'nodejs_eventloop_lag_p90_seconds',
  'nodejs_eventloop_lag_p99_seconds',
];

/** What Node's histogram answers: with no sample, min 2^63-1 ns and a mean of NaN. */
const NO_MINIMUM = Number(2n ** 63n - 1n);

class FakeHistogram implements DelayHistogram {
  count = 0;
  min = NO_MINIMUM;
  max = 0;
  mean = NaN;
  stddev = NaN;
  resets = 0;
  percentile(percentile: number): number {
    return this.count === 0 ? 0 : percentile * 1e6;
  }
  record(min: number, max: number): void {
    Object.assign(this, { count: 2, min, max, mean: (min + max) / 2, stddev: (max - min) / 2 });
  }
  reset(): void {
    Object.assign(this, { count: 0, min: NO_MINIMUM, max: 0, mean: NaN, stddev: NaN });
    this.resets++;
  }
}

describe('the event-loop delay gauges', () => {
  it('report no sentinel or NaN before any sample, then each window, keeping the last over an empty one', async () => {
    const registry = new Registry();
    const histogram = new FakeHistogram();
    registerEventLoopDelay(registry, histogram);

    const empty = await samples(registry);
    expect(LAG.map((name) => empty.get(name))).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(histogram.resets).toBe(0);

    histogram.record(2e6, 4e6);
    const window = await samples(registry);
    expect(LAG.map((name) => window.get(name))).toEqual([
      0.002, 0.004, 0.003, 0.001, 0.05, 0.09, 0.099,
    ]);
    expect(histogram.resets).toBe(1);

    // A second scrape within the sampling interval: nothing new, the last window stands.
    expect(await samples(registry)).toEqual(window);
    expect(histogram.resets).toBe(1);
  });
});

describe('the process metrics', () => {
  it("count CPU from the process's start, and serve each event-loop gauge once with a sane value", async () => {
    const spent = process.cpuUsage();
    const values = await samples(processMetrics());
    expect(values.get('process_cpu_seconds_total')).toBeGreaterThanOrEqual(
      (spent.user + spent.system) / 1e6,
    );
    expect(values.get('process_cpu_user_seconds_total')).toBeGreaterThanOrEqual(spent.user / 1e6);
    const text = await processMetrics().metrics();
    for (const name of LAG) {
      expect(text.match(new RegExp(`^# TYPE ${name} `, 'gm'))).toHaveLength(1);
      expect(values.get(name)).toBeGreaterThanOrEqual(0);
      expect(values.get(name)).toBeLessThan(60);
    }
  });
});
