import { monitorEventLoopDelay } from 'node:perf_hooks';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';

/** What the event-loop gauges read: Node's IntervalHistogram (nanoseconds). */
export interface DelayHistogram {
  readonly count: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly stddev: number;
  percentile(percentile: number): number;
  reset(): void;
}

interface DelayGauge {
  name: string;
  help: string;
  read: (histogram: DelayHistogram) => number;
}

const delayGauge = (statistic: string, help: string, read: DelayGauge['read']): DelayGauge => ({
  name: `nodejs_eventloop_lag_${statistic}_seconds`,
  help,
  read,
});

/** prom-client's names and help, so that dashboards built on its defaults keep working. */
const DELAY_GAUGES: DelayGauge[] = [
  delayGauge('min', 'The minimum recorded event loop delay.', (h) => h.min),
  delayGauge('max', 'The maximum recorded event loop delay.', (h) => h.max),
  delayGauge('mean', 'The mean of the recorded event loop delays.', (h) => h.mean),
  delayGauge(
    'stddev',
    'The standard deviation of the recorded event loop delays.',
    (h) => h.stddev,
  ),
  ...[50, 90, 99].map((p) =>
    delayGauge(`p${p}`, `The ${p}th percentile of the recorded event loop delays.`, (h) =>
      h.percentile(p),
    ),
  ),
];

/**
 * The event-loop delay since the previous scrape. prom-client reads its histogram even when it
 * holds no sample (a scrape before the first 10 ms sample, or two scrapes within 10 ms), and
 * then reports a minimum of 9223372036.85 s and a mean of NaN. Here an empty window keeps the
 * previous window's values (zeros before any sample) and is not reset.
 */
export function registerEventLoopDelay(registry: Registry, histogram: DelayHistogram): void {
  const gauges: { gauge: Gauge; read: (histogram: DelayHistogram) => number }[] = [];
  const collect = () => {
    if (histogram.count === 0) return;
    for (const { gauge, read } of gauges) gauge.set(read(histogram) / 1e9);
    histogram.reset();
  };
  for (const [index, { name, help, read }] of DELAY_GAUGES.entries()) {
    // The registry reads its metrics in the order they were registered: the first sets all.
    const gauge = new Gauge({
      name,
      help,
      registers: [registry],
      ...(index === 0 ? { collect } : {}),
    });
    gauges.push({ gauge, read });
  }
}

let processRegistry: Registry | undefined;

/**
 * Memory, CPU, GC, handles and event-loop lag (prom-client's default metrics) belong to the
 * process, however many apps it holds (tests boot dozens): collected once, into a registry of
 * their own, from the first app's start rather than from the first scrape.
 */
export function processMetrics(): Registry {
  if (processRegistry !== undefined) return processRegistry;
  const registry = new Registry();
  const spent = process.cpuUsage();
  collectDefaultMetrics({ register: registry });
  // prom-client counts CPU from its own start: what loading and booting cost comes first.
  const cpu = (name: string) => registry.getSingleMetric(name) as Counter;
  cpu('process_cpu_user_seconds_total').inc(spent.user / 1e6);
  cpu('process_cpu_system_seconds_total').inc(spent.system / 1e6);
  cpu('process_cpu_seconds_total').inc((spent.user + spent.system) / 1e6);
  for (const { name } of DELAY_GAUGES) registry.removeSingleMetric(name);
  // prom-client's own resolution.
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  registerEventLoopDelay(registry, histogram);
  processRegistry = registry;
  return registry;
}
