import { Counter, Histogram, Metric, Registry } from 'prom-client';
import { SeriesCounter, SeriesHistogram } from './series-histogram';

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const LABEL_SETS = [
  { method: 'PATCH', route: '/v1/rs/users/:userId', status_code: '200' },
  { method: 'GET', route: '/v1/rs/users', status_code: '200' },
  { method: 'PATCH', route: '/v1/rs/users/:userId', status_code: '412' },
  { method: 'GET', route: 'unmatched', status_code: '404' },
];

/** A deterministic spread of durations, bounds themselves and values past the last one included. */
function observations(seed: number, count: number): number[] {
  let state = seed;
  const values: number[] = [];
  for (let i = 0; i < count; i++) {
    state = (state * 1103515245 + 12345) % 2147483648;
    const pick = state % 10;
    values.push(
      pick === 0
        ? BUCKETS[state % BUCKETS.length]
        : pick === 1
          ? 11 + (state % 7)
          : (state % 1_000_000) / 80_000,
    );
  }
  return values;
}

describe('SeriesHistogram and SeriesCounter', () => {
  it('are written by the registry exactly as prom-client writes its Histogram and Counter', async () => {
    const expected = new Registry();
    const histogram = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time to answer',
      labelNames: ['method', 'route', 'status_code'],
      buckets: BUCKETS,
      registers: [expected],
    });
    const counter = new Counter({
      name: 'http_requests_total',
      help: 'Requests',
      labelNames: ['method', 'route', 'status_code'],
      registers: [expected],
    });
    const actual = new Registry();
    const series = new SeriesHistogram<'method' | 'route' | 'status_code'>({
      name: 'http_request_duration_seconds',
      help: 'Time to answer',
      buckets: [...BUCKETS].reverse(),
    });
    actual.registerMetric(series as unknown as Metric);
    actual.registerMetric(
      new SeriesCounter('http_requests_total', 'Requests', series) as unknown as Metric,
    );

    const values = observations(7, 2000);
    values.forEach((value, index) => {
      const labels = LABEL_SETS[(index * 7) % LABEL_SETS.length];
      histogram.observe(labels, value);
      counter.inc(labels);
      series.seriesFor(Object.values(labels).join('\n'), () => labels).observe(value);
    });

    const text = await actual.metrics();
    expect(text).toBe(await expected.metrics());
    expect(text).toContain('http_request_duration_seconds_bucket{le="+Inf",method="PATCH"');
    expect(text).toContain('http_requests_total{method="GET",route="unmatched",status_code="404"}');
  });

  it('keeps one series per key, made from the labels once', () => {
    const histogram = new SeriesHistogram<'operation'>({ name: 'x', help: 'x', buckets: [1] });
    const labels = jest.fn(() => ({ operation: 'select' }));
    const first = histogram.seriesFor('select', labels);
    first.observe(0.5);
    const second = histogram.seriesFor('select', labels);
    second.observe(2);
    expect(second).toBe(first);
    expect(labels).toHaveBeenCalledTimes(1);
    expect([...first.counts, first.count, first.sum]).toEqual([1, 2, 2.5]);
  });

  it('ignores a value that is not a finite number instead of poisoning the sum', () => {
    const histogram = new SeriesHistogram<'operation'>({ name: 'x', help: 'x', buckets: [1] });
    const series = histogram.seriesFor('select', () => ({ operation: 'select' }));
    series.observe(Number.NaN);
    series.observe(Number.POSITIVE_INFINITY);
    series.observe(0.25);
    expect([series.count, series.sum]).toEqual([1, 0.25]);
  });
});
