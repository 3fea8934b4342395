import { lookup } from 'node:dns/promises';
import { Injectable } from '@nestjs/common';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Longest a lookup is waited for; then the name counts as not resolving. */
export const LOOKUP_TIMEOUT_MS = 2000;
/**
 * Lookups running at once. getaddrinfo runs on libuv's thread pool (4 threads), which file and
 * crypto work share: names an administrator chooses may take at most half of it, however slow
 * their resolvers are (a lookup that timed out holds its thread until it ends).
 */
export const MAX_CONCURRENT_LOOKUPS = 2;

export class LookupTimeoutError extends Error {
  override name = 'LookupTimeoutError';
}

/**
 * Name resolution for webhook targets, as the operating system does it (hosts file included:
 * `localhost` is 127.0.0.1). Every address a name has is checked, not only the first.
 */
@Injectable()
export class HostResolver {
  private running = 0;
  /** Callers waiting for a slot; each says whether it still wants the slot it is given. */
  private readonly waiting: (() => boolean)[] = [];

  async resolve(hostname: string): Promise<ResolvedAddress[]> {
    const deadline = Date.now() + LOOKUP_TIMEOUT_MS;
    await this.slot(deadline);
    const pending = lookup(hostname, { all: true, verbatim: true });
    // The slot is freed when the lookup itself ends, not when the caller stops waiting.
    void pending.catch(() => undefined).finally(() => this.release());
    const addresses = await withDeadline(pending, deadline);
    return addresses.map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 }));
  }

  private slot(deadline: number): Promise<void> {
    if (this.running < MAX_CONCURRENT_LOOKUPS) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => {
          settled = true;
          reject(new LookupTimeoutError('no lookup slot freed in time'));
        },
        Math.max(0, deadline - Date.now()),
      );
      let settled = false;
      this.waiting.push(() => {
        if (settled) return false;
        settled = true;
        clearTimeout(timer);
        this.running++;
        resolve();
        return true;
      });
    });
  }

  private release(): void {
    this.running--;
    // The slot goes to the first caller still waiting; those that gave up pass it on.
    while (this.waiting.length > 0 && !(this.waiting.shift() as () => boolean)()) {
      /* next */
    }
  }
}

/** `work`, or LookupTimeoutError at the deadline. */
function withDeadline<T>(work: Promise<T>, deadline: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new LookupTimeoutError('the lookup did not end in time')),
      Math.max(0, deadline - Date.now()),
    );
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
