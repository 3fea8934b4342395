/**
 * Admission to the connection pool, one permit per pooled connection, so that the pool itself
 * never queues: when every connection is out, requests wait here in arrival order, and
 * background work (the event relay, whose concurrency is bounded by its own design) goes
 * before them. Behind a saturated API the relay would otherwise wait its turn at every
 * statement behind dozens of requests, and events would leave the process seconds late.
 */
export class ConnectionGate {
  private free: number;
  private readonly first: Waiter[] = [];
  private readonly inOrder: Waiter[] = [];

  /** `queueLimit`: requests waiting at most (a bound on memory, as mysql2's own queue had). */
  constructor(
    size: number,
    private readonly queueLimit = size * 50,
  ) {
    this.free = size;
  }

  /** Resolves with a permit; rejects with `onTimeout()` when none came within `timeoutMs`. */
  enter(background: boolean, timeoutMs: number, onTimeout: () => Error): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return Promise.resolve();
    }
    const queue = background ? this.first : this.inOrder;
    // mysql2's words for it, which database-errors.ts reads as "no connection".
    if (queue.length >= this.queueLimit) return Promise.reject(new Error('Queue limit reached.'));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        admit: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        queue.splice(queue.indexOf(waiter), 1);
        reject(onTimeout());
      }, timeoutMs);
      queue.push(waiter);
    });
  }

  /** Hands the permit to the next waiter (background first), or back to the free ones. */
  leave(): void {
    const next = this.first.shift() ?? this.inOrder.shift();
    if (next === undefined) this.free++;
    else next.admit();
  }
}

interface Waiter {
  admit(): void;
}
