import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { AppConfig } from '../config';
import { NOT_YET, toDatabaseTimestamp } from '../database';
import { ENVELOPE_COLUMNS, EnvelopeRow, PendingEvent, pendingEvent } from './event-envelope';
import type { EventSink } from './event-sink';
import { RelayDatabase } from './relay-database';
import { RelayLease } from './relay-lease';
import { RelayWake } from './relay-wake';
import { byPrimaryKey, inLists, LARGEST_CHUNK } from './sql-lists';

/** Between two passes while the sinks have work in hand (retries, a backlog). */
const BUSY_INTERVAL_MS = 100;
/**
 * The least time between the starts of two passes: commits arriving meanwhile go in one batch,
 * so that under load a pass relays several events instead of one pass per commit.
 */
const BATCH_GAP_MS = 10;
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
  ENVELOPE_COLUMNS +
  " FROM `audit_events` a WHERE a.`relayedAt` = '" +
  NOT_YET +
  "' ORDER BY a.`id` LIMIT " +
  String(LARGEST_CHUNK);

/**
 * The outbox relay (DESIGN 11). Runs in every instance; only the holder of the lease works:
 * it reads committed events from the audit trail, lets each sink deliver what it can at once
 * (within a deadline), hands the events to each sink's queue in one transaction with their
 * relayed mark and those outcomes, and lets the sinks deliver the rest from their queues. When
 * the holder dies, its lease expires and another instance carries on from the same rows.
 *
 * A pass starts when a commit wakes it: on this instance through the in-process events, on
 * another through RelayWake (Redis or NATS), or, with neither, at the next short poll.
 */
@Injectable()
export class EventRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(EventRelay.name);
  private readonly sinks: EventSink[] = [];
  private readonly pollMs: number;
  private timer: NodeJS.Timeout | undefined;
  private dueAt = 0;
  private lastStart = 0;
  private running: Promise<void> | null = null;
  /**
   * The transaction of the last pass that read events: it records them while the next pass
   * reads and sends what was committed meanwhile, so that the relay's writes are not in the
   * way of the next change's delivery. One at a time, in pass order.
   */
  private recording: Promise<void> = Promise.resolve();
  /** Events of passes still recording: unmarked until their commit, so the next read sees them. */
  private readonly recordingIds = new Set<number>();
  private wakeRequested = false;
  /** Woken by a commit since the last look at the outbox; else the poll decides. */
  private woken = true;
  private pollDueAt = 0;
  private stopped = true;
  private lastRenewal = 0;
  private lastError = '';

  constructor(
    config: AppConfig,
    private readonly database: RelayDatabase,
    private readonly lease: RelayLease,
    private readonly emitter: EventEmitter2,
    private readonly remote: RelayWake,
  ) {
    this.pollMs = config.events.relayPollMs;
  }

  /** Sinks register while modules initialize, before the relay starts. */
  register(sink: EventSink): void {
    this.sinks.push(sink);
  }

  onApplicationBootstrap(): void {
    this.stopped = false;
    // Every in-process event follows a commit: look at the outbox now instead of at the next
    // poll, or have the instance holding the lease look.
    this.emitter.onAny(this.onEvent);
    this.remote.listen(() => this.wake());
    this.schedule(0);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.emitter.offAny(this.onEvent);
    clearTimeout(this.timer);
    await this.running;
    await this.recording;
    await Promise.all(this.sinks.map((sink) => sink.settle()));
    if (this.lease.held) await this.lease.release().catch(() => undefined);
  }

  /**
   * Looks at the outbox soon: at once when idle (BATCH_GAP_MS after the last pass began at the
   * earliest), right after the pass in progress, never later than planned. Only the lease
   * holder listens: the others poll for the lease.
   */
  wake(): void {
    if (this.stopped || !this.lease.held) return;
    if (this.running !== null) {
      this.wakeRequested = true;
      return;
    }
    this.woken = true;
    const delay = Math.max(0, this.lastStart + BATCH_GAP_MS - Date.now());
    if (this.dueAt - Date.now() <= delay) return;
    this.schedule(delay);
  }

  private readonly onEvent = () => {
    if (this.lease.held) this.wake();
    else this.remote.notify();
  };

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    this.dueAt = Date.now() + delayMs;
    this.timer = setTimeout(() => {
      this.lastStart = Date.now();
      this.running = this.pass().finally(() => {
        this.running = null;
      });
    }, delayMs);
    // A CLI that boots the app (npm run token) must be able to exit while the relay waits.
    this.timer.unref();
  }

  /**
   * Looks at the outbox when woken or when the poll is due; in between, passes only renew the
   * lease (however long the poll interval) and let the sinks start what fell due.
   */
  private async pass(): Promise<void> {
    let next = FOLLOWER_INTERVAL_MS;
    try {
      if (!(await this.holdLease())) return;
      let more = false;
      if (this.woken || Date.now() >= this.pollDueAt) {
        this.woken = false;
        this.pollDueAt = Date.now() + this.pollMs;
        more = await this.relayPending();
      }
      let delivering = false;
      for (const sink of this.sinks) delivering = (await sink.deliver()) || delivering;
      next = Math.min(Math.max(0, this.pollDueAt - Date.now()), RENEW_INTERVAL_MS);
      // A full batch leaves more behind it: at once. Sinks' work in hand: soon.
      if (more) {
        this.woken = true;
        next = 0;
      } else if (delivering) next = Math.min(next, BUSY_INTERVAL_MS);
      this.lastError = '';
    } catch (error) {
      this.report(error);
    } finally {
      if (this.wakeRequested) {
        this.wakeRequested = false;
        this.woken = true;
        next = Math.min(next, Math.max(0, this.lastStart + BATCH_GAP_MS - Date.now()));
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
    if (held && !wasHeld) {
      this.logger.log(`This instance relays events (${this.lease.holder})`);
      this.woken = true;
    }
    if (!held && wasHeld) {
      this.logger.warn('Another instance took over the event relay');
      await Promise.all(this.sinks.map((sink) => sink.settle()));
    }
    return held;
  }

  /**
   * One batch of pending events: each sink delivers what it can at once, then queues the
   * events with those outcomes in the transaction that marks them relayed. That transaction
   * runs after the previous pass's and is not waited for (the next pass may send meanwhile);
   * this pass waits for the previous one's instead, so that one is recording at most. Whether
   * more events may be waiting (a full batch).
   */
  private async relayPending(): Promise<boolean> {
    // Taken before the read: a transaction that commits while the read runs may still leave
    // its events unmarked in what the read returns.
    const recording = new Set(this.recordingIds);
    const rows = await this.database.query<EnvelopeRow>(PENDING_SQL);
    const events = rows.map(pendingEvent).filter((event) => !recording.has(event.auditId));
    if (events.length === 0) return false;
    for (const sink of this.sinks) await sink.prepare?.(events);
    for (const event of events) this.recordingIds.add(event.auditId);
    const previous = this.recording;
    this.recording = previous.then(() => this.record(events));
    await previous;
    return rows.length === LARGEST_CHUNK;
  }

  /** The transaction of relayPending; then the sinks start what its commit made visible. */
  private async record(events: PendingEvent[]): Promise<void> {
    const relayedAt = toDatabaseTimestamp(new Date());
    const transaction = this.lease.transaction(async (executor) => {
      for (const sink of this.sinks) await sink.accept(executor, events);
      for (const ids of inLists(events.map((event) => event.auditId))) {
        await executor.execute(
          'UPDATE `audit_events`' +
            byPrimaryKey(executor.engine) +
            ' SET `relayedAt` = ? WHERE `id` IN ' +
            ids.sql,
          [relayedAt, ...ids.parameters],
        );
      }
    });
    const committed = await transaction.then(
      () => true,
      (error: unknown) => {
        this.report(error);
        return false;
      },
    );
    for (const sink of this.sinks) sink.relayed?.(events, committed);
    for (const event of events) this.recordingIds.delete(event.auditId);
    if (!committed) return;
    this.lastRenewal = Date.now();
    try {
      let delivering = false;
      for (const sink of this.sinks) delivering = (await sink.deliver()) || delivering;
      if (delivering) this.soon(BUSY_INTERVAL_MS);
    } catch (error) {
      this.report(error);
    }
  }

  /** A pass within `delayMs` (unless one runs: it plans the next itself). */
  private soon(delayMs: number): void {
    if (this.stopped || this.running !== null || this.dueAt - Date.now() <= delayMs) return;
    this.schedule(delayMs);
  }

  /** Once per kind of failure, not once per pass: a database outage would flood the log. */
  private report(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    if (message === this.lastError) return;
    this.lastError = message;
    this.logger.warn(`The event relay paused: ${message}`);
  }
}
