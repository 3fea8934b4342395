import { Injectable } from '@nestjs/common';
import type { Counter, Histogram } from 'prom-client';
import { MetricsService } from '../common/metrics/metrics.service';

export type DeliveryOutcome = 'succeeded' | 'retrying' | 'failed' | 'refused';
const OUTCOMES: DeliveryOutcome[] = ['succeeded', 'retrying', 'failed', 'refused'];

/**
 * What the relay reports at /metrics (DESIGN 12): webhook delivery attempts by outcome
 * (`retrying`: failed, another try is scheduled; `failed`: the last try failed; `refused`: the
 * address was refused after DNS), and the lag from a change to its delivery, per sink.
 */
@Injectable()
export class EventMetrics {
  private readonly attempts: Counter<'outcome'>;
  private readonly lag: Histogram<'sink'>;

  constructor(metrics: MetricsService) {
    this.attempts = metrics.counter({
      name: 'webhook_delivery_attempts_total',
      help: 'Webhook delivery attempts by outcome (succeeded, retrying, failed, refused)',
      labelNames: ['outcome'],
    });
    // Zero from the start, so that a rate over it is defined before the first attempt.
    for (const outcome of OUTCOMES) this.attempts.inc({ outcome }, 0);
    this.lag = metrics.histogram({
      name: 'event_relay_lag_seconds',
      help: 'From a change to its delivery, by sink (webhook, nats)',
      labelNames: ['sink'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600],
    });
  }

  webhookAttempt(outcome: DeliveryOutcome): void {
    this.attempts.inc({ outcome });
  }

  /** Seconds from the change to its delivery to a sink (`webhook` or `nats`). */
  delivered(sink: 'webhook' | 'nats', changedAt: Date): void {
    this.lag.observe({ sink }, Math.max(0, Date.now() - changedAt.getTime()) / 1000);
  }
}
