import type { LookupFunction } from 'node:net';
import { Pool } from 'undici';
import type { ResolvedAddress } from './host-resolver';

/** Connections kept open to one receiver (keep-alive): deliveries reuse them. */
const CONNECTIONS_PER_ORIGIN = 16;
/** Receivers with a pool at once; the least recently used one is closed beyond this. */
const MAX_ORIGINS = 256;

/**
 * undici connection pools, one per receiver origin, each pinned to the addresses the SSRF check
 * allowed: a new connection goes to those addresses (the pool's lookup answers with them), never
 * to a second DNS answer. When a name resolves elsewhere later, its pool is replaced; the old one
 * finishes what it was sending and closes.
 */
export class PinnedPools {
  private readonly pools = new Map<string, { addresses: string; pool: Pool }>();

  constructor(private readonly connectTimeoutMs: number) {}

  pool(target: URL, addresses: ResolvedAddress[]): Pool {
    const key = addresses.map(({ address }) => address).join(' ');
    const known = this.pools.get(target.origin);
    if (known !== undefined) {
      this.pools.delete(target.origin);
      if (known.addresses === key) {
        this.pools.set(target.origin, known);
        return known.pool;
      }
      void known.pool.close().catch(() => undefined);
    } else if (this.pools.size >= MAX_ORIGINS) {
      const [oldest, { pool }] = this.pools.entries().next().value as [string, { pool: Pool }];
      this.pools.delete(oldest);
      void pool.close().catch(() => undefined);
    }
    const lookup = ((_hostname, options, callback) => {
      if (options.all) callback(null, addresses);
      else callback(null, addresses[0].address, addresses[0].family);
    }) as LookupFunction;
    const pool = new Pool(target.origin, {
      connections: CONNECTIONS_PER_ORIGIN,
      connect: { lookup, timeout: this.connectTimeoutMs },
      // The sender's own timer bounds the whole attempt.
      headersTimeout: 0,
      bodyTimeout: 0,
    });
    this.pools.set(target.origin, { addresses: key, pool });
    return pool;
  }

  /** Closes every connection at once (shutdown: what is in flight is given up). */
  async destroy(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map(({ pool }) => pool.destroy().catch(() => undefined)));
  }
}
