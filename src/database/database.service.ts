import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config';
import { isRetryableLockError } from './database-errors';
import { MysqlEngine } from './mysql-engine';
import { PoolUsage, SQL_ENGINE, SqlEngine } from './sql-engine';
import { SqliteEngine } from './sqlite-engine';
import type { SqlExecutor, SqlParameter, StatementOptions } from './sql-statements';

export {
  ConnectionAcquireTimeoutError,
  DatabaseNotConnectedError,
  StatementTimeoutError,
} from './sql-engine';
export type { PoolUsage } from './sql-engine';
export { SQL_STATEMENT_CHANNEL } from './sql-statements';
export type {
  SqlExecutor,
  SqlParameter,
  SqlStatementMessage,
  StatementOptions,
} from './sql-statements';

const MAX_LOCK_RETRIES = 3;

/** DatabaseModule's provider factory: the engine of the configured database, chosen once. */
export function sqlEngineFor(dataSource: DataSource, config: AppConfig): SqlEngine {
  return config.database.type === 'mysql'
    ? new MysqlEngine(dataSource, config.database)
    : new SqliteEngine(dataSource);
}

/**
 * Plain SQL, written once for both engines (backtick quoting and `?` placeholders are
 * understood by MySQL and SQLite alike), sent through the engine DatabaseModule chose. On MySQL
 * every statement runs under the configured deadlines; lock conflicts (deadlock, lock wait
 * timeout) are retried a bounded number of times, on either engine.
 */
@Injectable()
export class DatabaseService implements SqlExecutor {
  readonly engine: 'mysql' | 'sqlite';
  readonly forUpdate: string;
  readonly forShare: string;

  constructor(
    @Inject(SQL_ENGINE) private readonly sql: SqlEngine,
    readonly dataSource: DataSource,
  ) {
    this.engine = sql.name;
    this.forUpdate = sql.forUpdate;
    this.forShare = sql.forShare;
  }

  /** Connections checked out and checkouts waiting (SQLite: its queue). */
  poolUsage(): PoolUsage {
    return this.sql.usage();
  }

  /** One statement outside a transaction, on a connection of its own. */
  query<Row>(sql: string, parameters: SqlParameter[] = [], options: StatementOptions = {}) {
    return this.sql.session((executor) => executor.query<Row>(sql, parameters), options.origin);
  }

  execute(sql: string, parameters: SqlParameter[] = [], options: StatementOptions = {}) {
    return this.sql.session((executor) => executor.execute(sql, parameters), options.origin);
  }

  insert(sql: string, parameters: SqlParameter[] = [], options: StatementOptions = {}) {
    return this.sql.session((executor) => executor.insert(sql, parameters), options.origin);
  }

  /**
   * Runs `work` on one connection held throughout, outside a transaction: for session state such
   * as a named lock. SQLite has a single connection anyway, so there each statement of `work`
   * queues on its own and other requests' statements run between them.
   */
  withSession<T>(work: (executor: SqlExecutor) => Promise<T>): Promise<T> {
    return this.sql.session(work);
  }

  /** Runs `work` in one transaction: everything it wrote commits together or not at all. */
  async transaction<T>(
    work: (executor: SqlExecutor) => Promise<T>,
    options: StatementOptions = {},
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.sql.transaction(work, options.origin);
      } catch (error) {
        if (attempt >= MAX_LOCK_RETRIES || !isRetryableLockError(error)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20 * attempt));
      }
    }
  }
}
