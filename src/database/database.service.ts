import { Injectable } from '@nestjs/common';
import { DataSource, QueryRunner } from 'typeorm';
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
}

const MAX_LOCK_RETRIES = 3;
/** The longest a request waits for a pooled connection before it is answered 503. */
const ACQUIRE_TIMEOUT_MS = 1500;

export class ConnectionAcquireTimeoutError extends Error {
  override name = 'ConnectionAcquireTimeoutError';
}

function isStatementTimeout(error: unknown): boolean {
  const shape = error as { code?: unknown; driverError?: { code?: unknown } } | null;
  return (shape?.driverError?.code ?? shape?.code) === 'PROTOCOL_SEQUENCE_TIMEOUT';
}

function destroyConnection(runner: QueryRunner): void {
  (runner as { databaseConnection?: { destroy?: () => void } }).databaseConnection?.destroy?.();
}

/** Gets the runner its pooled connection, or gives up after a deadline (and frees it later). */
async function connectWithin(runner: QueryRunner, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const connecting = runner.connect();
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ConnectionAcquireTimeoutError()), timeoutMs);
  });
  try {
    await Promise.race([connecting, expired]);
  } catch (error) {
    connecting.then(
      () => runner.release(),
      () => undefined,
    );
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** The app runs but has not (re)connected yet: answered as 503, like any outage. */
export class DatabaseNotConnectedError extends Error {
  override name = 'DatabaseNotConnectedError';
}

const LOCKS = {
  mysql: { forUpdate: ' FOR UPDATE', forShare: ' LOCK IN SHARE MODE' },
  sqlite: { forUpdate: '', forShare: '' },
} as const;

class RunnerExecutor implements SqlExecutor {
  readonly forUpdate: string;
  readonly forShare: string;

  constructor(
    private readonly runner: QueryRunner,
    engine: 'mysql' | 'sqlite',
  ) {
    this.forUpdate = LOCKS[engine].forUpdate;
    this.forShare = LOCKS[engine].forShare;
  }

  async query<Row>(sql: string, parameters: SqlParameter[] = []): Promise<Row[]> {
    const result = await this.runner.query(sql, parameters, true);
    return (result.records ?? []) as Row[];
  }

  async execute(sql: string, parameters: SqlParameter[] = []): Promise<number> {
    const result = await this.runner.query(sql, parameters, true);
    return result.affected ?? 0;
  }
}

/**
 * Plain SQL over TypeORM's connection, written once for both engines (backtick quoting and `?`
 * placeholders are understood by MySQL and SQLite alike).
 *
 * SQLite has one shared connection in TypeORM: without the queue, a statement of one request
 * could land inside another request's open transaction. MySQL gets a pooled connection per
 * transaction and retries lock conflicts (deadlock, lock wait timeout) a bounded number of times.
 */
@Injectable()
export class DatabaseService implements SqlExecutor {
  readonly engine: 'mysql' | 'sqlite';
  readonly forUpdate: string;
  readonly forShare: string;
  private sqliteQueue: Promise<unknown> = Promise.resolve();

  constructor(readonly dataSource: DataSource) {
    this.engine = dataSource.options.type === 'mysql' ? 'mysql' : 'sqlite';
    this.forUpdate = LOCKS[this.engine].forUpdate;
    this.forShare = LOCKS[this.engine].forShare;
  }

  query<Row>(sql: string, parameters: SqlParameter[] = []): Promise<Row[]> {
    return this.withConnection((executor) => executor.query<Row>(sql, parameters));
  }

  execute(sql: string, parameters: SqlParameter[] = []): Promise<number> {
    return this.withConnection((executor) => executor.execute(sql, parameters));
  }

  /** Runs `work` in one transaction: everything it wrote commits together or not at all. */
  async transaction<T>(work: (executor: SqlExecutor) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.withConnection(async (executor, runner) => {
          await runner.startTransaction();
          try {
            const result = await work(executor);
            await runner.commitTransaction();
            return result;
          } catch (error) {
            if (isStatementTimeout(error)) {
              // mysql2 rejected the statement but the connection still waits for its answer: a
              // ROLLBACK would queue behind it forever. Closing the connection rolls back.
              destroyConnection(runner);
            } else if (runner.isTransactionActive) {
              await runner.rollbackTransaction().catch(() => {});
            }
            throw error;
          }
        });
      } catch (error) {
        if (attempt >= MAX_LOCK_RETRIES || !isRetryableLockError(error)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20 * attempt));
      }
    }
  }

  private async withConnection<T>(
    work: (executor: SqlExecutor, runner: QueryRunner) => Promise<T>,
  ): Promise<T> {
    if (!this.dataSource.isInitialized) throw new DatabaseNotConnectedError();
    if (this.engine === 'sqlite') {
      const runner = this.dataSource.createQueryRunner();
      const result = this.sqliteQueue.then(() =>
        work(new RunnerExecutor(runner, 'sqlite'), runner),
      );
      this.sqliteQueue = result.catch(() => undefined);
      return result;
    }
    const runner = this.dataSource.createQueryRunner();
    await connectWithin(runner, ACQUIRE_TIMEOUT_MS);
    try {
      return await work(new RunnerExecutor(runner, 'mysql'), runner);
    } catch (error) {
      // Outside a transaction too: a connection whose statement timed out is unusable.
      if (isStatementTimeout(error)) destroyConnection(runner);
      throw error;
    } finally {
      await runner.release();
    }
  }
}
