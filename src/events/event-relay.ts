import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { NOT_YET, toDatabaseTimestamp } from '../database';
import { PENDING_COLUMNS, PendingRow, pendingEvent } from './event-envelope';
import type { EventSink } from './event-sink';
import { RelayDatabase } from './relay-database';
import { RelayLease } from './relay-lease';
import { byPrimaryKey, inList, LARGEST_CHUNK, powerOfTwoChunks } from './sql-lists';

/** Between two passes while there is work: events committed meanwhile go in one batch. */
const BUSY_INTERVAL_MS = 100;
/** Between two looks at the outbox while idle (a change on this instance wakes it at once). */
const IDLE_INTERVAL_MS = 250;
/** Between two tries at the lease while another instance holds it. */
const FOLLOWER_INTERVAL_MS = 1000;
/** Renew an idle lease this often (it lasts LEASE_MS). */
const RENEW_INTERVAL_MS = 1000;

/**
 * Pending events in commit-independent order: the rows no relay has handed on yet, oldest id
 * first. A marker per row rather than a cursor over ids, because ids are drawn at INSERT and
 * transactions commit in any order: id 10 can be visible while id 9 is not yet, and a cursor
 * past 10 would never come back for 9. A plain read, without locks, so it never waits on (nor
 * delays) the API's transactions; only the lease holder runs it.
 */
const PENDING_SQL =
  'SELECT ' +
  PENDING_COLUMNS +
  " FROM `audit_events` a WHERE a.`relayedAt` = '" +
  NOT_YET +
  "' ORDER BY a.`id` LIMIT " +
  String(LARGEST_CHUNK);

/**
 * The outbox relay (DESIGN 11). Runs in every instance; only the holder of the lease works:
 * it reads committed events from the audit trail, hands them to each sink's queue in one
 * transaction with their relayed mark, and lets the sinks deliver from their queues. When the
 * holder dies, its lease expires and another instance carries on from the same rows.
 */
@Injectable()
export class EventRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(EventRelay.name);
  private readonly sinks: EventSink[] = [];
  private timer: NodeJS.Timeout | undefined;
  private dueAt = 0;
  private running: Promise<void> | null = null;
  private wakeRequested = false;
  private stopped = true;
  private lastRenewal = 0;
  private lastError = '';

  constructor(
    private readonly database: RelayDatabase,
    private readonly lease: RelayLease,
    private readonly emitter: EventEmitter2,
  ) {}

  /** Sinks register while modules initialize, before the relay starts. */
  register(sink: EventSink): void {
    this.sinks.push(sink);
  }

  onApplicationBootstrap(): void {
    this.stopped = false;
    // Every in-process event follows a commit: look at the outbox now instead of at the next
    // poll. Changes on other instances are found by the poll.
    this.emitter.onAny(this.onEvent);
    this.schedule(0);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.emitter.offAny(this.onEvent);
    clearTimeout(this.timer);
    await this.running;
    await Promise.all(this.sinks.map((sink) => sink.settle()));
    if (this.lease.held) await this.lease.release().catch(() => undefined);
  }

  /**
   * Looks at the outbox soon: at once when idle, right after the pass in progress, and not
   * sooner than planned when a busy pass is due anyway (so that a burst of commits makes
   * batches, not one pass each). Only the lease holder listens: the others poll for the lease.
   */
  wake(): void {
    if (this.stopped || !this.lease.held) return;
    if (this.running !== null) {
      this.wakeRequested = true;
      return;
    }
    if (this.dueAt - Date.now() <= BUSY_INTERVAL_MS) return;
    this.schedule(0);
  }

  private readonly onEvent = () => this.wake();

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    this.dueAt = Date.now() + delayMs;
    this.timer = setTimeout(() => {
      this.running = this.pass().finally(() => {
        this.running = null;
      });
    }, delayMs);
    // A CLI that boots the app (npm run token) must be able to exit while the relay waits.
    this.timer.unref();
  }

  private async pass(): Promise<void> {
    let next = IDLE_INTERVAL_MS;
    try {
      if (!(await this.holdLease())) {
        next = FOLLOWER_INTERVAL_MS;
        return;
      }
      const relayed = await this.relayPending();
      let delivering = false;
      for (const sink of this.sinks) delivering = (await sink.deliver()) || delivering;
      if (relayed || delivering) next = BUSY_INTERVAL_MS;
      this.lastError = '';
    } catch (error) {
      this.report(error);
      next = FOLLOWER_INTERVAL_MS;
    } finally {
      if (this.wakeRequested) {
        this.wakeRequested = false;
        next = Math.min(next, BUSY_INTERVAL_MS);
      }
      this.schedule(next);
    }
  }

  private async holdLease(): Promise<boolean> {
    const now = Date.now();
    if (this.lease.held && now - this.lastRenewal < RENEW_INTERVAL_MS) return true;
    const wasHeld = this.lease.held;
    const held = await this.lease.acquire();
    if (held) this.lastRenewal = now;
    if (held && !wasHeld) this.logger.log(`This instance relays events (${this.lease.holder})`);
    if (!held && wasHeld) {
      this.logger.warn('Another instance took over the event relay');
      await Promise.all(this.sinks.map((sink) => sink.settle()));
    }
    return held;
  }

  /** One batch of pending events into every sink's queue; true when there was any. */
  private async relayPending(): Promise<boolean> {
    const rows = await this.database.query<PendingRow>(PENDING_SQL);
    if (rows.length === 0) return false;
    const events = rows.map(pendingEvent);
    const relayedAt = toDatabaseTimestamp(new Date());
    await this.lease.transaction(async (executor) => {
      for (const sink of this.sinks) await sink.accept(executor, events);
      for (const chunk of powerOfTwoChunks(events.map((event) => event.auditId))) {
        const ids = inList(chunk);
        await executor.execute(
          'UPDATE `audit_events`' +
            byPrimaryKey(executor.engine) +
            ' SET `relayedAt` = ? WHERE `id` IN ' +
            ids.sql,
          [relayedAt, ...ids.parameters],
        );
      }
    });
    this.lastRenewal = Date.now();
    return true;
  }

  /** Once per kind of failure, not once per pass: a database outage would flood the log. */
  private report(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    if (message === this.lastError) return;
    this.lastError = message;
    this.logger.warn(`The event relay paused: ${message}`);
  }
}
