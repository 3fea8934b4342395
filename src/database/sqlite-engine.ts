import type { DataSource, QueryRunner } from 'typeorm';
import { DatabaseNotConnectedError, PoolUsage, SqlEngine } from './sql-engine';
import { published, SqlExecutor, SqlParameter } from './sql-statements';

/**
 * SQLite has one shared connection in TypeORM: the queue keeps a statement of one request from
 * landing inside another request's open transaction.
 */
export class SqliteEngine implements SqlEngine {
  readonly name = 'sqlite';
  readonly forUpdate = '';
  readonly forShare = '';
  private queue: Promise<unknown> = Promise.resolve();
  private readonly counts: PoolUsage = { inUse: 0, waiting: 0 };

  constructor(private readonly dataSource: DataSource) {}

  usage(): PoolUsage {
    return { ...this.counts };
  }

  /** Each statement queues on its own: other requests' statements may run between them. */
  session<T>(work: (executor: SqlExecutor) => Promise<T>): Promise<T> {
    return work({
      forUpdate: this.forUpdate,
      forShare: this.forShare,
      engine: this.name,
      query: (sql, parameters) => this.queued((executor) => executor.query(sql, parameters)),
      execute: (sql, parameters) => this.queued((executor) => executor.execute(sql, parameters)),
    });
  }

  transaction<T>(work: (executor: SqlExecutor) => Promise<T>): Promise<T> {
    return this.queued(async (executor, runner) => {
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

  private queued<T>(work: (executor: SqliteExecutor, runner: QueryRunner) => Promise<T>) {
    if (!this.dataSource.isInitialized) return Promise.reject(new DatabaseNotConnectedError());
    const runner = this.dataSource.createQueryRunner();
    this.counts.waiting++;
    const result = this.queue.then(async () => {
      this.counts.waiting--;
      this.counts.inUse++;
      try {
        return await work(new SqliteExecutor(runner), runner);
      } finally {
        this.counts.inUse--;
      }
    });
    this.queue = result.catch(() => undefined);
    return result;
  }
}

class SqliteExecutor implements SqlExecutor {
  readonly forUpdate = '';
  readonly forShare = '';
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
