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
  session<T>(work: (executor: SqlExecutor) => Promise<T>, origin?: string): Promise<T> {
    return work({
      forUpdate: this.forUpdate,
      forShare: this.forShare,
      engine: this.name,
      query: (sql, parameters) =>
        this.queued((executor) => executor.query(sql, parameters), origin),
      execute: (sql, parameters) =>
        this.queued((executor) => executor.execute(sql, parameters), origin),
      insert: (sql, parameters) =>
        this.queued((executor) => executor.insert(sql, parameters), origin),
    });
  }

  transaction<T>(work: (executor: SqlExecutor) => Promise<T>, origin?: string): Promise<T> {
    return this.queued(async (executor, runner) => {
      await published('BEGIN TRANSACTION', () => runner.startTransaction(), origin);
      try {
        const result = await work(executor);
        await published('COMMIT', () => runner.commitTransaction(), origin);
        return result;
      } catch (error) {
        if (runner.isTransactionActive) {
          await published('ROLLBACK', () => runner.rollbackTransaction(), origin).catch(() => {});
        }
        throw error;
      }
    }, origin);
  }

  private queued<T>(
    work: (executor: SqliteExecutor, runner: QueryRunner) => Promise<T>,
    origin?: string,
  ) {
    if (!this.dataSource.isInitialized) return Promise.reject(new DatabaseNotConnectedError());
    const runner = this.dataSource.createQueryRunner();
    // The counts are requests' turns; background work (an origin) is not a request.
    const counts = origin === undefined ? this.counts : { inUse: 0, waiting: 0 };
    counts.waiting++;
    const result = this.queue.then(async () => {
      counts.waiting--;
      counts.inUse++;
      try {
        return await work(new SqliteExecutor(runner, origin), runner);
      } finally {
        counts.inUse--;
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

  constructor(
    private readonly runner: QueryRunner,
    private readonly origin?: string,
  ) {}

  async query<Row>(sql: string, parameters: SqlParameter[] = []): Promise<Row[]> {
    return ((await this.run(sql, parameters)).records ?? []) as Row[];
  }

  async execute(sql: string, parameters: SqlParameter[] = []): Promise<number> {
    return (await this.run(sql, parameters)).affected ?? 0;
  }

  async insert(sql: string, parameters: SqlParameter[] = []): Promise<number> {
    // better-sqlite3's lastInsertRowid, as TypeORM hands it over.
    return Number((await this.run(sql, parameters)).raw);
  }

  private run(sql: string, parameters: SqlParameter[]) {
    return published(sql, () => this.runner.query(sql, parameters, true), this.origin);
  }
}
