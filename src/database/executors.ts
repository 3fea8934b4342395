import { performance } from 'node:perf_hooks';
import type { Pool, PoolConnection, ResultSetHeader } from 'mysql2';
import type { QueryRunner } from 'typeorm';
import { published, publishStatement, SqlExecutor, SqlParameter } from './sql-statements';

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

export const LOCKS = {
  mysql: { forUpdate: ' FOR UPDATE', forShare: ' LOCK IN SHARE MODE' },
  sqlite: { forUpdate: '', forShare: '' },
} as const;

/** Gets a pooled connection, or gives up after a deadline (a late one goes straight back). */
export function acquire(pool: Pool, timeoutMs: number): Promise<PoolConnection> {
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
export class MysqlExecutor implements SqlExecutor {
  readonly forUpdate = LOCKS.mysql.forUpdate;
  readonly forShare = LOCKS.mysql.forShare;
  readonly engine = 'mysql';
  private closed = false;
  private returned = false;

  constructor(
    private readonly connection: PoolConnection,
    private readonly statementTimeoutMs: number,
    /** Called once, when the connection goes back to the pool or is closed. */
    private readonly onReturned: () => void = () => undefined,
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
    this.returnOnce();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.connection.destroy();
    this.returnOnce();
  }

  private returnOnce(): void {
    if (this.returned) return;
    this.returned = true;
    this.onReturned();
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
      const startedAt = performance.now();
      let settled = false;
      const done = (error: Error | null, result?: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        // A connection-level failure (reset, protocol error): never hand it to another request.
        if ((error as { fatal?: boolean } | null)?.fatal === true) this.close();
        publishStatement(sql, startedAt, error ?? undefined);
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

export class SqliteExecutor implements SqlExecutor {
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
