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
import { DeliveryFanoutRepository, InlineAttempt } from './delivery-fanout.repository';
import {
  DeliveryQueueRepository,
  QueuedDelivery,
  RecordedAttempt,
} from './delivery-queue.repository';
import { deliverInline, handedOver, heldBy, recordInline, RelayPass } from './inline-delivery';
import { DISABLE_AFTER_MS, retryDelayMs } from './retry-schedule';
import { AttemptResult, WebhookSender } from './webhook-sender';

/** Deliveries read per round, all endpoints together, and sent in a row to one endpoint. */
const ROUND_LIMIT = 512;
const RUN_LIMIT = 32;
/** Retries fall due as time passes: the queue is looked at this often even when nothing changed. */
const QUEUE_LOOK_MS = 100;

/**
 * Delivers webhooks (an EventSink): at once, in the relay's pass, to an endpoint whose queue is
 * empty (the outcome recorded with the relayed mark), else from the queue the relay fills.
 * Each endpoint's deliveries go one at a time, oldest first, and a failure stops that
 * endpoint's run, so an endpoint sees events in their order; endpoints run side by side, and a
 * slow one holds up no other. Outcomes are recorded under the relay's lease: a delivery made by
 * an instance that lost the lease meanwhile is not recorded, and is made again by the new
 * holder (at least once; the receiver recognizes the repeat by its webhook-id).
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
  /** Each pass between prepare() and relayed(), by its events (two overlap: relayPending). */
  private readonly passes = new Map<PendingEvent[], RelayPass>();
  /** Whether the queue may hold due work the last look did not see, and when it was looked at. */
  private queueChanged = true;
  private lastLook = 0;

  constructor(
    config: AppConfig,
    private readonly relay: EventRelay,
    private readonly lease: RelayLease,
    private readonly queue: DeliveryQueueRepository,
    private readonly fanout: DeliveryFanoutRepository,
    private readonly sender: WebhookSender,
    private readonly metrics: EventMetrics,
  ) {
    this.schedule = config.events.webhooks.retryScheduleSeconds;
  }

  onModuleInit(): void {
    this.relay.register(this);
  }

  async prepare(events: PendingEvent[]): Promise<void> {
    if (!this.lease.held) return;
    // Taken before the read: an earlier pass that commits after it leaves deliveries this read
    // cannot see, and its endpoints must wait for them; one that committed before, the read sees.
    const held = new Set<number>();
    for (const pass of this.passes.values()) for (const id of pass.held) held.add(id);
    const endpoints = await this.fanout.inlineEndpoints(events);
    if (endpoints.length === 0) return;
    const round = await deliverInline(
      this.sender,
      events,
      endpoints,
      (endpointId) => this.busy.has(endpointId) || held.has(endpointId),
      this.abort.signal,
    );
    this.passes.set(events, {
      round,
      held: heldBy(round, events, endpoints),
      recorded: [],
      disabled: [],
      ids: new Map(),
    });
  }

  async accept(executor: SqlExecutor, events: PendingEvent[]): Promise<void> {
    const pass = this.passes.get(events);
    const round = pass?.round ?? null;
    const attempted = new Map<string, InlineAttempt>();
    for (const [key, result] of round?.results ?? []) {
      attempted.set(key, { result, nextAttemptAt: this.nextAttemptAt(0, result) });
    }
    const tracked = new Set(round?.inFlight.keys());
    const { ids, pending } = await this.fanout.enqueue(
      executor,
      events,
      new Date(),
      attempted,
      tracked,
    );
    // Deliveries left to the queue's runs: look at it once they are committed.
    if (pending > 0) this.queueChanged = true;
    const outcomes = await recordInline(executor, this.queue, round, events, attempted, ids);
    if (pass !== undefined) {
      pass.ids = ids;
      pass.recorded = outcomes.recorded;
      pass.disabled = outcomes.disabled;
    }
  }

  relayed(events: PendingEvent[], committed: boolean): void {
    const pass = this.passes.get(events);
    if (pass === undefined) return;
    this.passes.delete(events);
    if (committed) {
      for (const { attempt, createdAt } of pass.recorded) this.count(attempt, createdAt);
      for (const endpointId of pass.disabled) {
        this.logger.warn(`Webhook endpoint ${endpointId} disabled: failing for 3 days`);
      }
    }
    // Sends past the deadline: their endpoint is busy until they end and are recorded.
    for (const [key, { endpoint, event, sending }] of pass.round.inFlight) {
      const id = committed ? pass.ids.get(key) : undefined;
      const delivery = id === undefined ? null : handedOver(id, endpoint, event);
      this.busy.set(
        endpoint.id,
        sending
          .then((result) =>
            delivery === null || result.outcome === 'aborted'
              ? undefined
              : this.record([{ delivery, result, nextAttemptAt: this.nextAttemptAt(0, result) }]),
          )
          .finally(() => {
            this.busy.delete(endpoint.id);
            this.queueChanged = true;
          }),
      );
    }
  }

  async deliver(): Promise<boolean> {
    const now = Date.now();
    if (
      this.starting === null &&
      this.lease.held &&
      (this.queueChanged || now - this.lastLook >= QUEUE_LOOK_MS)
    ) {
      this.queueChanged = false;
      this.lastLook = now;
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
        this.run(run, signal).finally(() => {
          this.busy.delete(endpointId);
          this.queueChanged = true;
        }),
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
      const nextAttemptAt = this.nextAttemptAt(delivery.attempts, result);
      attempts.push({ delivery, result, nextAttemptAt });
      if (result.outcome !== 'succeeded') break;
    }
    if (attempts.length > 0) await this.record(attempts);
  }

  /** After `attempts` earlier attempts and this one's result: when to try again, if ever. */
  private nextAttemptAt(attempts: number, result: AttemptResult): Date | null {
    if (result.outcome === 'succeeded') return null;
    const delay = retryDelayMs(this.schedule, attempts + 1);
    return delay === null ? null : new Date(result.attemptedAt.getTime() + delay);
  }

  /**
   * Joins the batch being collected; resolves once that batch is written (or dropped). A batch
   * is written as soon as the previous one is (outcomes ending meanwhile join it), so outcomes
   * of one endpoint are recorded in order, without a fixed wait.
   */
  private record(attempts: RecordedAttempt[]): Promise<void> {
    this.buffered.push(...attempts);
    this.collecting ??= this.writing.then(() => {
      // From here on, outcomes go to the next batch.
      this.collecting = null;
      const batch = this.buffered;
      this.buffered = [];
      this.writing = this.write(batch);
      return this.writing;
    });
    return this.collecting;
  }

  /** The metrics of an attempt recorded. */
  private count({ result, nextAttemptAt }: InlineAttempt, createdAt: Date): void {
    const outcome =
      result.outcome === 'succeeded'
        ? 'succeeded'
        : result.outcome === 'refused'
          ? 'refused'
          : nextAttemptAt === null
            ? 'failed'
            : 'retrying';
    this.metrics.webhookAttempt(outcome);
    if (outcome === 'succeeded') this.metrics.delivered('webhook', createdAt);
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
    for (const attempt of attempts) this.count(attempt, attempt.delivery.event.createdAt);
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
