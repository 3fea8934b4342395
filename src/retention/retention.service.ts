import { setImmediate as nextTurn } from 'node:timers/promises';
import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config';
import { toDatabaseTimestamp, DatabaseService, SqlExecutor } from '../database';
import { PURGE_TARGETS, PurgeTarget } from './purge-targets';

/** Rows one DELETE removes at most: the longest any purge statement holds its row locks. */
export const PURGE_BATCH_SIZE = 1000;

const DAY_MS = 86_400_000;

/**
 * The MySQL named lock that lets one instance purge at a time. GET_LOCK names are server-wide,
 * so the name carries the database's (hashed: names are limited to 64 characters).
 */
const LOCK_NAME = "CONCAT('users-organizations:purge:', LEFT(SHA2(DATABASE(), 256), 32))";

export interface PurgeResult {
  /** False when another purge held the lock: this one deleted nothing. */
  ran: boolean;
  /** Rows deleted, by target name. */
  deleted: Record<string, number>;
  /** DELETE statements sent, by target name (each removes at most PURGE_BATCH_SIZE rows). */
  batches: Record<string, number>;
}

/**
 * Deletes what DESIGN section 12 says is no longer kept, in batches of at most 1,000 rows, each
 * its own statement (autocommitted), so the API's writes wait for one batch at most. One
 * instance at a time: on MySQL a named lock (GET_LOCK) held by the connection the purge runs
 * on, released when it ends or when that connection dies; SQLite serves one process, where a
 * flag keeps two purges (a slow one and the next scheduled one) from overlapping.
 */
@Injectable()
export class RetentionService implements OnApplicationShutdown {
  private readonly logger = new Logger(RetentionService.name);
  private running = false;
  private stopping = false;

  constructor(
    private readonly database: DatabaseService,
    private readonly config: AppConfig,
  ) {}

  onApplicationShutdown(): void {
    // A purge in progress stops after its current batch; the next one picks up the rest.
    this.stopping = true;
  }

  async purge(now = new Date()): Promise<PurgeResult> {
    const result: PurgeResult = { ran: false, deleted: {}, batches: {} };
    if (this.running) return result;
    this.running = true;
    try {
      await this.database.withSession(async (session) => {
        if (!(await this.lock(session))) return;
        result.ran = true;
        try {
          for (const target of PURGE_TARGETS) await this.purgeTarget(session, target, now, result);
        } finally {
          await this.unlock(session);
        }
      });
    } finally {
      this.running = false;
    }
    const total = Object.values(result.deleted).reduce((sum, count) => sum + count, 0);
    if (total > 0) this.logger.log(`Purged ${JSON.stringify(result.deleted)}`);
    return result;
  }

  private async purgeTarget(
    session: SqlExecutor,
    target: PurgeTarget,
    now: Date,
    result: PurgeResult,
  ): Promise<void> {
    const days = target.keepDays(this.config);
    if (days === null) return;
    const cutoff = toDatabaseTimestamp(new Date(now.getTime() - days * DAY_MS));
    const sql = this.batchStatement(target);
    result.deleted[target.name] = 0;
    result.batches[target.name] = 0;
    for (;;) {
      if (this.stopping) return;
      const deleted = await session.execute(sql, [cutoff]);
      result.deleted[target.name] += deleted;
      result.batches[target.name]++;
      if (deleted < PURGE_BATCH_SIZE) return;
      // Between batches, the requests queued meanwhile go first.
      await nextTurn();
    }
  }

  /** The oldest rows first, one index range; SQLite has no DELETE ... LIMIT by default. */
  private batchStatement({ table, column, also }: PurgeTarget): string {
    const condition = also === undefined ? '' : ` AND ${also}`;
    const where = `\`${column}\` < ?${condition} ORDER BY \`${column}\` LIMIT ${PURGE_BATCH_SIZE}`;
    return this.database.engine === 'mysql'
      ? `DELETE FROM \`${table}\` WHERE ${where}`
      : `DELETE FROM \`${table}\` WHERE rowid IN (SELECT rowid FROM \`${table}\` WHERE ${where})`;
  }

  private async lock(session: SqlExecutor): Promise<boolean> {
    if (this.database.engine !== 'mysql') return true;
    const [row] = await session.query<{ acquired: number | null }>(
      `SELECT GET_LOCK(${LOCK_NAME}, 0) AS \`acquired\``,
    );
    return Number(row?.acquired) === 1;
  }

  private async unlock(session: SqlExecutor): Promise<void> {
    if (this.database.engine !== 'mysql') return;
    await session.query(`SELECT RELEASE_LOCK(${LOCK_NAME}) AS \`released\``);
  }
}
