import type { SqlExecutor } from '../database';
import type { PendingEvent } from './event-envelope';

/**
 * Where the relay hands committed events: webhook deliveries, the NATS stream. A sink keeps
 * its own queue, so that one sink's outage (a dead receiver, NATS down) never holds another.
 */
export interface EventSink {
  readonly name: string;
  /**
   * Queues `events` (in their order) inside the relay's transaction, which also marks them
   * relayed: each event is queued exactly once, or not at all if the transaction fails.
   */
  accept(executor: SqlExecutor, events: PendingEvent[]): Promise<void>;
  /**
   * Before that transaction, optionally: delivers at once what can go at once (within a
   * deadline, so that one slow receiver holds up no other), for accept() to record the
   * outcomes with the relayed mark. Never throws for a receiver's failure.
   */
  prepare?(events: PendingEvent[]): Promise<void>;
  /**
   * After that transaction, whether it committed (else what prepare() did is not recorded).
   * The next pass's prepare() may come before it, with other events: a sink keeps what it
   * needs per pass, by the `events` array it was given.
   */
  relayed?(events: PendingEvent[], committed: boolean): void;
  /**
   * Starts delivering what is due, unless a delivery of this sink is still running; never
   * waits for a receiver. True while it has work in hand (the relay then comes back sooner).
   */
  deliver(): Promise<boolean>;
  /** The instance no longer holds the lease, or stops: finish what is in flight, start nothing. */
  settle(): Promise<void>;
}
