import { Injectable } from '@nestjs/common';
import type { Pool } from 'mysql2';
import { DataSource, QueryRunner } from 'typeorm';
import { AppConfig, DatabaseDeadlines, DEFAULT_DATABASE_DEADLINES } from '../config';
import { isRetryableLockError } from './database-errors';
import {
  acquire,
  DatabaseNotConnectedError,
  LOCKS,
  MysqlExecutor,
  SqliteExecutor,
} from './executors';
import { published, SqlExecutor, SqlParameter } from './sql-statements';

export {
  ConnectionAcquireTimeoutError,
  DatabaseNotConnectedError,
  StatementTimeoutError,
} from './executors';
export { SQL_STATEMENT_CHANNEL } from './sql-statements';
export type { SqlExecutor, SqlParameter, SqlStatementMessage } from './sql-statements';

const MAX_LOCK_RETRIES = 3;

/** Connections the app's requests hold, and requests waiting for one (for the metrics). */
export interface PoolUsage {
  inUse: number;
  waiting: number;
}

/**
 * Plain SQL, written once for both engines (backtick quoting and `?` placeholders are
 * understood by MySQL and SQLite alike).
 *
 * MySQL: statements go straight to the mysql2 pool TypeORM opened (TypeORM keeps the schema,
 * the migrations and the connection settings), as prepared statements under this service's
 * deadlines, and lock conflicts (deadlock, lock wait timeout) are retried a bounded number of
 * times. SQLite has one shared connection in TypeORM: the queue keeps a statement of one request
 * from landing inside another request's open transaction.
 */
@Injectable()
export class DatabaseService implements SqlExecutor {
  readonly engine: 'mysql' | 'sqlite';
  readonly forUpdate: string;
  readonly forShare: string;
  private sqliteQueue: Promise<unknown> = Promise.resolve();
  private readonly deadlines: DatabaseDeadlines;
  /** Counted here rather than read off mysql2's private pool fields; SQLite: its queue. */
  private readonly usage: PoolUsage = { inUse: 0, waiting: 0 };

  constructor(
    readonly dataSource: DataSource,
    config: AppConfig,
  ) {
    this.engine = dataSource.options.type === 'mysql' ? 'mysql' : 'sqlite';
    this.deadlines =
      config.database.type === 'mysql' ? config.database : DEFAULT_DATABASE_DEADLINES;
    this.forUpdate = LOCKS[this.engine].forUpdate;
    this.forShare = LOCKS[this.engine].forShare;
  }

  /** MySQL: pooled connections checked out, and checkouts waiting; SQLite: the same of its queue. */
  poolUsage(): PoolUsage {
    return { ...this.usage };
  }

  query<Row>(sql: string, parameters: SqlParameter[] = []): Promise<Row[]> {
    return this.withExecutor((executor) => executor.query<Row>(sql, parameters));
  }

  execute(sql: string, parameters: SqlParameter[] = []): Promise<number> {
    return this.withExecutor((executor) => executor.execute(sql, parameters));
  }

  /** One statement outside a transaction, on a connection of its own. */
  private async withExecutor<T>(work: (executor: SqlExecutor) => Promise<T>): Promise<T> {
    if (this.engine === 'sqlite') return this.sqlite(work);
    const executor = await this.connect();
    try {
      return await work(executor);
    } finally {
      executor.release();
    }
  }

  /**
   * Runs `work` on one connection held throughout, outside a transaction: for session state such
   * as a named lock. SQLite has a single connection anyway, so there each statement of `work`
   * queues on its own and other requests' statements run between them.
   */
  async withSession<T>(work: (executor: SqlExecutor) => Promise<T>): Promise<T> {
    if (this.engine === 'sqlite') return work(this);
    return this.withExecutor(work);
  }

  /** Runs `work` in one transaction: everything it wrote commits together or not at all. */
  async transaction<T>(work: (executor: SqlExecutor) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return this.engine === 'sqlite'
          ? await this.sqliteTransaction(work)
          : await this.mysqlTransaction(work);
      } catch (error) {
        if (attempt >= MAX_LOCK_RETRIES || !isRetryableLockError(error)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20 * attempt));
      }
    }
  }

  private async mysqlTransaction<T>(work: (executor: SqlExecutor) => Promise<T>): Promise<T> {
    const executor = await this.connect();
    try {
      await executor.control('START TRANSACTION');
      const result = await work(executor);
      await executor.control('COMMIT');
      return result;
    } catch (error) {
      // A closed connection has rolled back already; on a live one, a failed ROLLBACK leaves
      // the connection in doubt, so it is closed rather than handed to the next request.
      if (!executor.isClosed) await executor.control('ROLLBACK').catch(() => executor.close());
      throw error;
    } finally {
      executor.release();
    }
  }

  private async connect(): Promise<MysqlExecutor> {
    const pool = (this.dataSource.driver as { pool?: Pool }).pool;
    if (!this.dataSource.isInitialized || !pool) throw new DatabaseNotConnectedError();
    const { poolTimeoutMs, statementTimeoutMs } = this.deadlines;
    this.usage.waiting++;
    let connection;
    try {
      connection = await acquire(pool, poolTimeoutMs);
    } finally {
      this.usage.waiting--;
    }
    this.usage.inUse++;
    return new MysqlExecutor(connection, statementTimeoutMs, () => this.usage.inUse--);
  }

  private sqliteTransaction<T>(work: (executor: SqlExecutor) => Promise<T>): Promise<T> {
    return this.sqlite(async (executor, runner) => {
      await published('BEGIN TRANSACTION', () => runner.startTransaction());
      try {
        const result = await work(executor);
        await published('COMMIT', () => runner.commitTransaction());
        return result;
      } catch (error) {
        if (runner.isTransactionActive) {
          await published('ROLLBACK', () => runner.rollbackTransaction()).catch(() => {});
        }
        throw error;
      }
    });
  }

  private sqlite<T>(work: (executor: SqliteExecutor, runner: QueryRunner) => Promise<T>) {
    if (!this.dataSource.isInitialized) return Promise.reject(new DatabaseNotConnectedError());
    const runner = this.dataSource.createQueryRunner();
    this.usage.waiting++;
    const result = this.sqliteQueue.then(async () => {
      this.usage.waiting--;
      this.usage.inUse++;
      try {
        return await work(new SqliteExecutor(runner), runner);
      } finally {
        this.usage.inUse--;
      }
    });
    this.sqliteQueue = result.catch(() => undefined);
    return result;
  }
}
