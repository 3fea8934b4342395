import type { WindowCount } from './rate-limit.types';

const MAX_WINDOWS = 10_000;

/** Fixed-window counters in this process, for when there is no Redis (or it is down). */
export class MemoryWindowCounters {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();

  hit(key: string, windowMs: number): void {
    const now = Date.now();
    const window = this.windows.get(key);
    if (window === undefined || window.resetAt <= now) {
      if (this.windows.size >= MAX_WINDOWS) this.evictExpired(now);
      this.windows.set(key, { count: 1, resetAt: now + windowMs });
    } else {
      window.count += 1;
    }
  }

  read(key: string): WindowCount {
    const window = this.windows.get(key);
    const now = Date.now();
    if (window === undefined || window.resetAt <= now) return { count: 0, resetSeconds: 0 };
    return { count: window.count, resetSeconds: Math.ceil((window.resetAt - now) / 1000) };
  }

  clear(): void {
    this.windows.clear();
  }

  private evictExpired(now: number): void {
    for (const [key, window] of this.windows) if (window.resetAt <= now) this.windows.delete(key);
  }
}
