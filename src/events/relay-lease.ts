import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Injectable } from '@nestjs/common';
import type { SqlExecutor } from '../database';
import { RelayDatabase } from './relay-database';

/** How long a lease lasts unrenewed: another instance takes over this long after a crash. */
export const LEASE_MS = 5000;
/**
 * The holder stops acting this long before its lease runs out by its own clock, so that a
 * holder cut off from the database never delivers beside the instance that took over.
 */
const SAFETY_MS = 1500;

export class LeaseLostError extends Error {
  override name = 'LeaseLostError';
}

/** The database's clock, so that instances with skewed clocks agree on when a lease expires. */
function databaseTime(engine: 'mysql' | 'sqlite', offsetMs = 0): string {
  if (engine === 'mysql') return `TIMESTAMPADD(MICROSECOND, ${offsetMs * 1000}, UTC_TIMESTAMP(3))`;
  return `strftime('%Y-%m-%d %H:%M:%f', 'now', '+${(offsetMs / 1000).toFixed(3)} seconds')`;
}

/**
 * The relay's lease: one row in `event_relay_leases`, held by one instance at a time. Every
 * write the relay makes runs in `transaction()`, whose first statement renews the lease and
 * locks its row: a holder that lost the lease cannot commit anything after the instance that
 * took over started (fencing), and two relays never fan out the same events.
 */
@Injectable()
export class RelayLease {
  /** Who holds it: host, process id and a random part (a restarted process is someone new). */
  readonly holder = `${hostname().slice(0, 80)}:${process.pid}:${randomBytes(6).toString('hex')}`;
  private heldUntil = 0;

  constructor(private readonly database: RelayDatabase) {}

  /** True while this instance may deliver: it holds the lease, with a safety margin. */
  get held(): boolean {
    return performance.now() < this.heldUntil;
  }

  /** Takes the lease when it is free or expired, or renews ours; false when another holds it. */
  async acquire(): Promise<boolean> {
    const started = performance.now();
    const engine = this.database.engine;
    try {
      const taken = await this.database.execute(
        'UPDATE `event_relay_leases` SET `holder` = ?, `expiresAt` = ' +
          databaseTime(engine, LEASE_MS) +
          " WHERE `name` = 'relay' AND (`holder` = ? OR `expiresAt` < " +
          databaseTime(engine) +
          ')',
        [this.holder, this.holder],
      );
      this.heldUntil = taken === 1 ? started + LEASE_MS - SAFETY_MS : 0;
    } catch (error) {
      this.heldUntil = 0;
      throw error;
    }
    return this.held;
  }

  /** Runs `work` in a transaction that first renews the lease; throws LeaseLostError if gone. */
  transaction<T>(work: (executor: SqlExecutor) => Promise<T>): Promise<T> {
    return this.database.transaction(async (executor) => {
      const started = performance.now();
      const renewed = await executor.execute(
        'UPDATE `event_relay_leases` SET `expiresAt` = ' +
          databaseTime(executor.engine, LEASE_MS) +
          " WHERE `name` = 'relay' AND `holder` = ?",
        [this.holder],
      );
      if (renewed !== 1) {
        this.heldUntil = 0;
        throw new LeaseLostError('Another instance holds the relay lease');
      }
      this.heldUntil = started + LEASE_MS - SAFETY_MS;
      return work(executor);
    });
  }

  /** Lets another instance take over at once (a clean shutdown). */
  async release(): Promise<void> {
    this.heldUntil = 0;
    await this.database.execute(
      "UPDATE `event_relay_leases` SET `expiresAt` = '1970-01-01 00:00:00.000' WHERE `name` = 'relay' AND `holder` = ?",
      [this.holder],
    );
  }
}
