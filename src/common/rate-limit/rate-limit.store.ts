import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import Redis from 'ioredis';
import { AppConfig } from '../../config';
import { FixedWindowThrottlerStorage } from './fixed-window-throttler-storage';
import { MemoryWindowCounters } from './memory-window-counters';
import type { ThrottlerStorageRecord, WindowCount } from './rate-limit.types';

const RECORD_HIT = `
local count = redis.call('INCR', KEYS[1])
if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return count`;
const READ_COUNT = `return { tonumber(redis.call('GET', KEYS[1]) or '0'), redis.call('PTTL', KEYS[1]) }`;
/** How often a Redis outage is reported while it lasts. */
const WARNING_INTERVAL_MS = 30_000;
/** How long start-up waits for a first connection to Redis before serving without it. */
const CONNECT_WAIT_MS = 2000;

/**
 * Where rate-limit counters live: in Redis when REDIS_URL is set, so every instance counts
 * against the same limit, else in this process. While Redis cannot be reached the counters
 * fall back to this process (limits then hold per instance) rather than failing requests: an
 * outage of the limiter must not become an outage of the API. While the connection is down no
 * request waits for it: ioredis reconnects in the background and Redis is used again once ready.
 */
@Injectable()
export class RateLimitStore
  implements ThrottlerStorage, OnApplicationBootstrap, OnApplicationShutdown
{
  private readonly logger = new Logger('RateLimit');
  private readonly memory = new FixedWindowThrottlerStorage();
  private readonly memoryWindows = new MemoryWindowCounters();
  private readonly redis?: Redis;
  private readonly redisStorage?: ThrottlerStorageRedisService;
  private lastWarningAt = 0;
  private closed = false;
  private connected?: Promise<void>;

  constructor(config: AppConfig) {
    const { redisUrl } = config.rateLimit;
    if (redisUrl !== undefined) {
      // Fail fast: a slow Redis holds a request a second at most before it falls back.
      this.redis = new Redis(redisUrl, {
        maxRetriesPerRequest: 1,
        connectTimeout: CONNECT_WAIT_MS,
        commandTimeout: 1000,
        // After end(), a socket that never connected lingers this long before being destroyed.
        disconnectTimeout: 200,
        // Reconnect every second at most, for as long as it takes.
        retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
      });
      this.redis.on('error', (error: Error) => this.degraded(error));
      this.redisStorage = new ThrottlerStorageRedisService(this.redis);
    }
  }

  /** Waits (briefly) for Redis, so that the first requests already count in the shared store. */
  onApplicationBootstrap(): Promise<void> {
    // Memoized: Nest calls the hook once per token this store is provided under.
    this.connected ??= this.waitForRedis();
    return this.connected;
  }

  private async waitForRedis(): Promise<void> {
    const redis = this.redis;
    if (redis === undefined || redis.status === 'ready') return;
    let onReady = (): void => undefined;
    const ready = new Promise<void>((resolve) => {
      onReady = resolve;
      redis.once('ready', onReady);
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, CONNECT_WAIT_MS);
    });
    await Promise.race([ready, timeout]);
    clearTimeout(timer);
    redis.off('ready', onReady);
  }

  /** Redis when it is connected; undefined (count in this process) while it is not. */
  private get available(): Redis | undefined {
    return this.redis?.status === 'ready' ? this.redis : undefined;
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    if (this.redisStorage !== undefined && this.available !== undefined) {
      try {
        return await this.redisStorage.increment(key, ttl, limit, blockDuration, throttlerName);
      } catch (error) {
        this.degraded(error);
      }
    }
    return this.memory.increment(key, ttl, limit, blockDuration, throttlerName);
  }

  /** Counts one hit in the fixed window of `key`; the window starts with its first hit. */
  async hit(key: string, windowMs: number): Promise<void> {
    const redis = this.available;
    if (redis !== undefined) {
      try {
        await redis.eval(RECORD_HIT, 1, key, windowMs);
        return;
      } catch (error) {
        this.degraded(error);
      }
    }
    this.memoryWindows.hit(key, windowMs);
  }

  /** The hits counted in the current window of `key`. */
  async read(key: string): Promise<WindowCount> {
    const redis = this.available;
    if (redis !== undefined) {
      try {
        const [count, ttlMs] = (await redis.eval(READ_COUNT, 1, key)) as [number, number];
        return { count, resetSeconds: ttlMs > 0 ? Math.ceil(ttlMs / 1000) : 0 };
      } catch (error) {
        this.degraded(error);
      }
    }
    return this.memoryWindows.read(key);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.memoryWindows.clear();
    if (this.redis?.status === 'ready') {
      await this.redis.quit().catch(() => this.redis?.disconnect());
    } else {
      this.redis?.disconnect();
    }
  }

  private degraded(error: unknown): void {
    if (this.closed) return;
    const now = Date.now();
    if (now - this.lastWarningAt < WARNING_INTERVAL_MS) return;
    this.lastWarningAt = now;
    const message = error instanceof Error ? error.message : String(error);
    this.logger.warn(`Redis unavailable, counting rate limits in this process: ${message}`);
  }
}
