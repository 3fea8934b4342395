import { setMaxListeners } from 'node:events';
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../config';
import type { SqlExecutor } from '../database';
import {
  EventMetrics,
  EventRelay,
  EventSink,
  LeaseLostError,
  PendingEvent,
  RelayLease,
} from '../events';
import {
  DeliveryQueueRepository,
  QueuedDelivery,
  RecordedAttempt,
} from './delivery-queue.repository';
import { retryDelayMs } from './retry-schedule';
import { AttemptResult, WebhookSender } from './webhook-sender';

/** DESIGN 11: an endpoint failing for this long is disabled. */
export const DISABLE_AFTER_MS = 3 * 24 * 3600 * 1000;
/** Deliveries read per round, all endpoints together, and sent in a row to one endpoint. */
const ROUND_LIMIT = 512;
const RUN_LIMIT = 32;
/** Outcomes of runs ending within this window are recorded in one transaction. */
const FLUSH_DELAY_MS = 100;

/**
 * Delivers webhooks from the queue the relay fills (an EventSink). Each endpoint's deliveries
 * go one at a time, oldest first, and a failure stops that endpoint's run, so an endpoint sees
 * events in their order; endpoints run side by side, and a slow one holds up no other. Outcomes
 * are recorded in batches under the relay's lease: a delivery made by an instance that lost the
 * lease meanwhile is not recorded, and is made again by the new holder (at least once; the
 * receiver recognizes the repeat by its webhook-id).
 */
@Injectable()
export class WebhookDispatcher implements EventSink, OnModuleInit {
  readonly name = 'webhooks';
  private readonly logger = new Logger(WebhookDispatcher.name);
  private readonly schedule: number[];
  /** Endpoints with a run in progress, or whose outcomes are not recorded yet. */
  private readonly busy = new Map<number, Promise<void>>();
  private starting: Promise<void> | null = null;
  private abort = runsController();
  private buffered: RecordedAttempt[] = [];
  private collecting: Promise<void> | null = null;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    config: AppConfig,
    private readonly relay: EventRelay,
    private readonly lease: RelayLease,
    private readonly queue: DeliveryQueueRepository,
    private readonly sender: WebhookSender,
    private readonly metrics: EventMetrics,
  ) {
    this.schedule = config.events.webhooks.retryScheduleSeconds;
  }

  onModuleInit(): void {
    this.relay.register(this);
  }

  accept(executor: SqlExecutor, events: PendingEvent[]): Promise<void> {
    return this.queue.enqueue(executor, events, new Date());
  }

  async deliver(): Promise<boolean> {
    if (this.starting === null && this.lease.held) {
      this.starting = this.startDueRuns().finally(() => {
        this.starting = null;
      });
    }
    await this.starting;
    return this.busy.size > 0;
  }

  /** Stops sending (requests in flight are cut), and waits for the runs to end. */
  async settle(): Promise<void> {
    this.abort.abort();
    await Promise.all([...this.busy.values()]);
    await this.writing;
    this.abort = runsController();
  }

  private async startDueRuns(): Promise<void> {
    const due = (await this.queue.dueEndpoints(new Date()))
      .filter((endpointId) => !this.busy.has(endpointId))
      .slice(0, 256);
    if (due.length === 0) return;
    const runs = new Map<number, QueuedDelivery[]>();
    for (const delivery of await this.queue.pending(due, ROUND_LIMIT)) {
      const run = runs.get(delivery.endpointId) ?? [];
      if (run.length < RUN_LIMIT) run.push(delivery);
      runs.set(delivery.endpointId, run);
    }
    const signal = this.abort.signal;
    for (const [endpointId, run] of runs) {
      this.busy.set(
        endpointId,
        this.run(run, signal).finally(() => this.busy.delete(endpointId)),
      );
    }
  }

  /** One endpoint's deliveries in order, until one fails; then their outcomes recorded. */
  private async run(run: QueuedDelivery[], signal: AbortSignal): Promise<void> {
    const attempts: RecordedAttempt[] = [];
    for (const delivery of run) {
      if (signal.aborted || !this.lease.held) break;
      const result = await this.sender.send(delivery.url, delivery.secrets, delivery.event, signal);
      // Cut short by this instance: the receiver may have it; the next holder sends it again.
      if (result.outcome === 'aborted') break;
      attempts.push({ delivery, result, nextAttemptAt: this.nextAttemptAt(delivery, result) });
      if (result.outcome !== 'succeeded') break;
    }
    if (attempts.length > 0) await this.record(attempts);
  }

  private nextAttemptAt(delivery: QueuedDelivery, result: AttemptResult): Date | null {
    if (result.outcome === 'succeeded') return null;
    const delay = retryDelayMs(this.schedule, delivery.attempts + 1);
    return delay === null ? null : new Date(result.attemptedAt.getTime() + delay);
  }

  /**
   * Joins the batch being collected; resolves once that batch is written (or dropped). A batch
   * is written after the previous one, so outcomes of one endpoint are recorded in order.
   */
  private record(attempts: RecordedAttempt[]): Promise<void> {
    this.buffered.push(...attempts);
    this.collecting ??= new Promise<void>((resolve) => setTimeout(resolve, FLUSH_DELAY_MS))
      .then(() => this.writing)
      .then(() => {
        // From here on, outcomes go to the next batch.
        this.collecting = null;
        const batch = this.buffered;
        this.buffered = [];
        this.writing = this.write(batch);
        return this.writing;
      });
    return this.collecting;
  }

  private async write(attempts: RecordedAttempt[]): Promise<void> {
    const disabled: number[] = [];
    try {
      await this.lease.transaction(async (executor) => {
        const present = await this.queue.record(executor, attempts);
        const kept = attempts.filter(({ delivery }) => present.has(delivery.id));
        const recovered = new Set<number>();
        const failing = new Set<number>();
        for (const { delivery, result } of kept) {
          if (result.outcome === 'succeeded') {
            if (delivery.endpointFailingSince !== null) recovered.add(delivery.endpointId);
          } else {
            failing.add(delivery.endpointId);
          }
        }
        await this.queue.clearFailing(executor, [...recovered]);
        const now = new Date();
        for (const endpointId of failing) {
          if (await this.queue.markFailing(executor, endpointId, now, DISABLE_AFTER_MS)) {
            disabled.push(endpointId);
          }
        }
      });
    } catch (error) {
      // Not recorded: these deliveries stay pending and are made again (at least once).
      if (!(error instanceof LeaseLostError)) {
        this.logger.warn(`Delivery outcomes not recorded: ${(error as Error).message}`);
      }
      return;
    }
    for (const { delivery, result, nextAttemptAt } of attempts) {
      const outcome =
        result.outcome === 'succeeded'
          ? 'succeeded'
          : result.outcome === 'refused'
            ? 'refused'
            : nextAttemptAt === null
              ? 'failed'
              : 'retrying';
      this.metrics.webhookAttempt(outcome);
      if (outcome === 'succeeded') this.metrics.delivered('webhook', delivery.event.createdAt);
    }
    for (const endpointId of disabled) {
      this.logger.warn(`Webhook endpoint ${endpointId} disabled: failing for 3 days`);
    }
  }
}

/** Every run in flight listens to it, one listener per attempt: more than Node's warning limit. */
function runsController(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}
