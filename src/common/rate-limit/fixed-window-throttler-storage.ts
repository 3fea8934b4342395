import type { ThrottlerStorageRecord } from './rate-limit.types';

const MAX_MEMORY_KEYS = 100_000;

/**
 * ThrottlerStorage in this process, as fixed windows: one counter per key, O(1) per request.
 * The package's default keeps a timestamp per hit and prunes the list on every request, a cost
 * that grows with the traffic of a key (measured: 110 µs per request under load from one
 * address, against a total of about 1 ms).
 */
export class FixedWindowThrottlerStorage {
  private readonly records = new Map<
    string,
    { hits: number; expiresAt: number; blockedUntil: number }
  >();

  increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): ThrottlerStorageRecord {
    const now = Date.now();
    const id = `${throttlerName}:${key}`;
    let record = this.records.get(id);
    if (record === undefined) {
      if (this.records.size >= MAX_MEMORY_KEYS) this.evict(now);
      record = { hits: 0, expiresAt: now + ttl, blockedUntil: 0 };
      this.records.set(id, record);
    } else if (record.expiresAt <= now && record.blockedUntil <= now) {
      record.hits = 0;
      record.expiresAt = now + ttl;
    }
    if (record.blockedUntil <= now) {
      record.hits += 1;
      if (record.hits > limit && blockDuration > 0) record.blockedUntil = now + blockDuration;
    }
    return {
      totalHits: record.hits,
      timeToExpire: Math.max(0, Math.ceil((record.expiresAt - now) / 1000)),
      isBlocked: record.blockedUntil > now || (blockDuration <= 0 && record.hits > limit),
      timeToBlockExpire: Math.max(0, Math.ceil((record.blockedUntil - now) / 1000)),
    };
  }

  /** Drops finished windows, then the oldest keys if the map is still full. */
  private evict(now: number): void {
    for (const [id, record] of this.records) {
      if (record.expiresAt <= now && record.blockedUntil <= now) this.records.delete(id);
    }
    for (const id of this.records.keys()) {
      if (this.records.size < MAX_MEMORY_KEYS) break;
      this.records.delete(id);
    }
  }
}
