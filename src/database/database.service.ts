import diagnosticsChannel from 'node:diagnostics_channel';
import { Injectable } from '@nestjs/common';
import type { Pool, PoolConnection, ResultSetHeader } from 'mysql2';
import { DataSource, QueryRunner } from 'typeorm';
import { AppConfig, DatabaseDeadlines, DEFAULT_DATABASE_DEADLINES } from '../config/app-config';
import { isRetryableLockError } from './database-errors';

export type SqlParameter = string | number | null;

/** What a statement run inside or outside a transaction can do. */
export interface SqlExecutor {
  query<Row>(sql: string, parameters?: SqlParameter[]): Promise<Row[]>;
  /** Runs a write; resolves to the number of rows it changed. */
  execute(sql: string, parameters?: SqlParameter[]): Promise<number>;
  /** ` FOR UPDATE` where the engine locks rows; SQLite serializes writers instead. */
  readonly forUpdate: string;
  /** A shared lock: the rows read cannot be changed or deleted until the transaction ends. */
  readonly forShare: string;
  /** For the rare statement the two engines cannot share (an UPDATE joined to its own table). */
  readonly engine: 'mysql' | 'sqlite';
}

const MAX_LOCK_RETRIES = 3;

/** What SQL_STATEMENT_CHANNEL publishes: a statement, once the database answered or failed it. */
export interface SqlStatementMessage {
  sql: string;
  /** Set when the statement failed, timed out included. */
  error?: unknown;
}

/**
 * Every statement the service sends, transaction boundaries included, published once it settled:
 * a hook for tracing, for counting a PATCH's statements, and for telling when a transaction
 * committed. Costs one property read per statement while nobody subscribes.
 */
export const SQL_STATEMENT_CHANNEL = diagnosticsChannel.channel('users-organizations:sql');

export class ConnectionAcquireTimeoutError extends Error {
  override name = 'ConnectionAcquireTimeoutError';
}

/** A statement outlived its deadline; its connection was closed, which rolls it back. */
export class StatementTimeoutError extends Error {
  override name = 'StatementTimeoutError';
  readonly code = 'PROTOCOL_SEQUENCE_TIMEOUT';
}

/** The app runs but has not (re)connected yet: answered as 503, like any outage. */
export class DatabaseNotConnectedError extends Error {
  override name = 'DatabaseNotConnectedError';
}

const LOCKS = {
  mysql: { forUpdate: ' FOR UPDATE', forShare: ' LOCK IN SHARE MODE' },
  sqlite: { forUpdate: '', forShare: '' },
} as const;

function publish(sql: string, error?: unknown): void {
  if (SQL_STATEMENT_CHANNEL.hasSubscribers) {
    const message: SqlStatementMessage = error === undefined ? { sql } : { sql, error };
    SQL_STATEMENT_CHANNEL.publish(message);
  }
}

/** Runs one statement of the embedded database, published once it settled. */
async function published<T>(sql: string, run: () => Promise<T>): Promise<T> {
  try {
    const result = await run();
    publish(sql);
    return result;
  } catch (error) {
    publish(sql, error);
    throw error;
  }
}

/** Gets a pooled connection, or gives up after a deadline (a late one goes straight back). */
function acquire(pool: Pool, timeoutMs: number): Promise<PoolConnection> {
  return new Promise((resolve, reject) => {
    let expired = false;
    const timer = setTimeout(() => {
      expired = true;
      reject(new ConnectionAcquireTimeoutError());
    }, timeoutMs);
    pool.getConnection((error, connection) => {
      if (expired) {
        connection?.release();
        return;
      }
      clearTimeout(timer);
      if (error) reject(error);
      else resolve(connection);
    });
  });
}

/**
 * One pooled MySQL connection, driven through mysql2's own API: prepared statements (the
 * driver caches them per connection), and a deadline this class enforces itself on every
 * statement, PREPARE included. A statement past its deadline closes the connection: the server
 * rolls back, and nothing queued behind the lost answer waits for it.
 */
class MysqlExecutor implements SqlExecutor {
  readonly forUpdate = LOCKS.mysql.forUpdate;
  readonly forShare = LOCKS.mysql.forShare;
  readonly engine = 'mysql';
  private closed = false;

  constructor(
    private readonly connection: PoolConnection,
    private readonly statementTimeoutMs: number,
  ) {}

  get isClosed(): boolean {
    return this.closed;
  }

  async query<Row>(sql: string, parameters: SqlParameter[] = []): Promise<Row[]> {
    return (await this.prepared(sql, parameters)) as Row[];
  }

  async execute(sql: string, parameters: SqlParameter[] = []): Promise<number> {
    return ((await this.prepared(sql, parameters)) as ResultSetHeader).affectedRows;
  }

  /** Transaction control goes as plain text: not every server prepares it. */
  async control(sql: 'START TRANSACTION' | 'COMMIT' | 'ROLLBACK'): Promise<void> {
    await this.send(sql, [], false);
  }

  /** Back to the pool, or closed for good if a statement left it in an unknown state. */
  release(): void {
    if (this.closed) return;
    this.connection.release();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.connection.destroy();
  }

  /** As a prepared statement; as text when the server holds as many as it allows. */
  private async prepared(sql: string, values: SqlParameter[]): Promise<unknown> {
    try {
      return await this.send(sql, values, true);
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'ER_MAX_PREPARED_STMT_COUNT_REACHED') throw error;
      return this.send(sql, values, false);
    }
  }

  private send(sql: string, values: SqlParameter[], prepared: boolean): Promise<unknown> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const done = (error: Error | null, result?: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        // A connection-level failure (reset, protocol error): never hand it to another request.
        if ((error as { fatal?: boolean } | null)?.fatal === true) this.close();
        publish(sql, error ?? undefined);
        if (error) reject(error);
        else resolve(result);
      };
      const timer = setTimeout(() => {
        this.close();
        done(new StatementTimeoutError(`statement timed out after ${this.statementTimeoutMs} ms`));
      }, this.statementTimeoutMs);
      if (prepared) this.connection.execute({ sql, values }, done);
      else this.connection.query({ sql, values }, done);
    });
  }
}

class SqliteExecutor implements SqlExecutor {
  readonly forUpdate = LOCKS.sqlite.forUpdate;
  readonly forShare = LOCKS.sqlite.forShare;
  readonly engine = 'sqlite';

  constructor(private readonly runner: QueryRunner) {}

  async query<Row>(sql: string, parameters: SqlParameter[] = []): Promise<Row[]> {
    const result = await published(sql, () => this.runner.query(sql, parameters, true));
    return (result.records ?? []) as Row[];
  }

  async execute(sql: string, parameters: SqlParameter[] = []): Promise<number> {
    const result = await published(sql, () => this.runner.query(sql, parameters, true));
    return result.affected ?? 0;
  }
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
    return new MysqlExecutor(await acquire(pool, poolTimeoutMs), statementTimeoutMs);
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
    const result = this.sqliteQueue.then(() => work(new SqliteExecutor(runner), runner));
    this.sqliteQueue = result.catch(() => undefined);
    return result;
  }
}
