import { Injectable } from '@nestjs/common';
import {
  Counter,
  CounterConfiguration,
  Gauge,
  GaugeConfiguration,
  Histogram,
  HistogramConfiguration,
  Metric,
  Registry,
} from 'prom-client';
import { AppConfig } from '../../config';
import {
  ExportedMetric,
  SeriesCounter,
  SeriesHistogram,
  SeriesHistogramConfiguration,
} from './series-histogram';
import { processMetrics } from './process-metrics';

/** Where Prometheus scrapes, on the app's port or on METRICS_PORT. */
export const METRICS_PATH = '/metrics';

const RATE_LIMIT_REFUSALS = ['address', 'user', 'auth_failures'] as const;
export type RateLimitRefusal = (typeof RATE_LIMIT_REFUSALS)[number];

/**
 * The app's Prometheus metrics (prom-client). Other modules inject this service to register
 * their own (webhook deliveries, relay lag) with `counter()`, `gauge()` and `histogram()`:
 * they are then served at /metrics with the rest.
 */
@Injectable()
export class MetricsService {
  /** This app's metrics; the process's own are added when scraped. */
  readonly registry = new Registry();
  readonly enabled: boolean;
  /** False when /metrics is off, or served on METRICS_PORT instead of the app's port. */
  readonly appPortEndpoint: boolean;
  private readonly rateLimitRefusals: Counter<'limit'>;

  constructor(config: AppConfig) {
    this.enabled = config.metrics.enabled;
    this.appPortEndpoint = this.enabled && config.metrics.port === undefined;
    // At boot: the event-loop delay has samples by the first scrape.
    if (this.enabled) processMetrics();
    this.rateLimitRefusals = this.counter({
      name: 'rate_limit_refusals_total',
      help: 'Requests answered 429 by a rate limit, by limit (address, user, auth_failures)',
      labelNames: ['limit'],
    });
    // Zero from the start, so that a rate over it is defined before the first refusal.
    for (const limit of RATE_LIMIT_REFUSALS) this.rateLimitRefusals.inc({ limit }, 0);
  }

  counter<T extends string>(configuration: CounterConfiguration<T>): Counter<T> {
    return new Counter({ ...configuration, registers: [this.registry] });
  }

  gauge<T extends string>(configuration: GaugeConfiguration<T>): Gauge<T> {
    return new Gauge({ ...configuration, registers: [this.registry] });
  }

  histogram<T extends string>(configuration: HistogramConfiguration<T>): Histogram<T> {
    return new Histogram({ ...configuration, registers: [this.registry] });
  }

  /** A histogram for the request path (see SeriesHistogram), served with the rest. */
  seriesHistogram<T extends string>(
    configuration: SeriesHistogramConfiguration,
  ): SeriesHistogram<T> {
    return this.register(new SeriesHistogram<T>(configuration));
  }

  /** A counter read off a series histogram's observations when scraped. */
  seriesCounter(name: string, help: string, histogram: SeriesHistogram<string>): SeriesCounter {
    return this.register(new SeriesCounter(name, help, histogram));
  }

  rateLimitRefused(limit: RateLimitRefusal): void {
    this.rateLimitRefusals.inc({ limit });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private register<M extends ExportedMetric>(metric: M): M {
    // The registry reads name, help, type and get() (its typings list only its own classes).
    this.registry.registerMetric(metric as unknown as Metric);
    return metric;
  }

  /** The text Prometheus scrapes: the process's metrics, then the app's. */
  async scrape(): Promise<string> {
    const [process, app] = await Promise.all([processMetrics().metrics(), this.registry.metrics()]);
    return `${process}\n${app}`;
  }
}
