import { performance } from 'node:perf_hooks';
import type { PoolConnection, ResultSetHeader } from 'mysql2';
import type { DataSource } from 'typeorm';
import type { MysqlDriver } from 'typeorm/driver/mysql/MysqlDriver';
import type { DatabaseDeadlines } from '../config';
import { ConnectionGate } from './connection-gate';
import {
  ConnectionAcquireTimeoutError,
  DatabaseNotConnectedError,
  PoolUsage,
  SqlEngine,
  StatementTimeoutError,
} from './sql-engine';
import { publishStatement, SqlExecutor, SqlParameter } from './sql-statements';
import { PREPARED_STATEMENTS_PER_CONNECTION } from './data-source-options';

const FOR_UPDATE = ' FOR UPDATE';
const FOR_SHARE = ' LOCK IN SHARE MODE';

type Callback = (error: Error | null, result?: unknown) => void;

/** A statement mysql2 prepared on a connection, executed by its id. */
interface PreparedStatement {
  execute(values: SqlParameter[], callback: Callback): unknown;
}

/**
 * Each connection's prepared statements by their text, as many as mysql2 keeps for it.
 * connection.execute() finds a statement again on every call (a key concatenated from the whole
 * SQL text, a lookup in its LRU, a Prepare command queued and run before the Execute): 5 to 10 µs
 * a statement. mysql2's cache still holds them and may close one on the server to make room for
 * another; executing that one then fails with ER_UNKNOWN_STMT_HANDLER, and it is prepared again.
 * The map goes with its connection.
 */
const preparedStatements = new WeakMap<PoolConnection, Map<string, PreparedStatement>>();

/**
 * MySQL/MariaDB: statements go straight to the mysql2 pool TypeORM opened (TypeORM keeps the
 * schema, the migrations and the connection settings), checked out through MysqlDriver's public
 * obtainMasterConnection() under this engine's pool deadline, and sent as prepared statements
 * under its statement deadline.
 */
export class MysqlEngine implements SqlEngine {
  readonly name = 'mysql';
  readonly forUpdate = FOR_UPDATE;
  readonly forShare = FOR_SHARE;
  /** Counted here rather than read off mysql2's private pool fields. */
  private readonly counts: PoolUsage = { inUse: 0, waiting: 0 };
  private readonly gate: ConnectionGate;

  constructor(
    private readonly dataSource: DataSource,
    private readonly deadlines: DatabaseDeadlines & { poolSize: number },
  ) {
    this.gate = new ConnectionGate(deadlines.poolSize);
  }

  usage(): PoolUsage {
    return { ...this.counts };
  }

  async session<T>(work: (executor: SqlExecutor) => Promise<T>, origin?: string): Promise<T> {
    const executor = await this.connect(origin);
    try {
      return await work(executor);
    } finally {
      executor.release();
    }
  }

  async transaction<T>(work: (executor: SqlExecutor) => Promise<T>, origin?: string): Promise<T> {
    const executor = await this.connect(origin);
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

  private async connect(origin?: string): Promise<MysqlExecutor> {
    if (!this.dataSource.isInitialized) throw new DatabaseNotConnectedError();
    const driver = this.dataSource.driver as MysqlDriver;
    // The counts are requests' connections; background work (an origin) is not a request.
    const counts = origin === undefined ? this.counts : { inUse: 0, waiting: 0 };
    counts.waiting++;
    let connection: PoolConnection;
    const started = performance.now();
    try {
      await this.gate.enter(
        origin !== undefined,
        this.deadlines.poolTimeoutMs,
        () => new ConnectionAcquireTimeoutError(),
      );
      const left = Math.max(1, this.deadlines.poolTimeoutMs - (performance.now() - started));
      connection = await acquire(driver, left).catch((error: unknown) => {
        this.gate.leave();
        throw error;
      });
    } finally {
      counts.waiting--;
    }
    counts.inUse++;
    const returned = () => {
      counts.inUse--;
      this.gate.leave();
    };
    return new MysqlExecutor(connection, this.deadlines.statementTimeoutMs, returned, origin);
  }
}

/** Gets a pooled connection, or gives up after a deadline (a late one goes straight back). */
function acquire(driver: MysqlDriver, timeoutMs: number): Promise<PoolConnection> {
  return new Promise((resolve, reject) => {
    let expired = false;
    const timer = setTimeout(() => {
      expired = true;
      reject(new ConnectionAcquireTimeoutError());
    }, timeoutMs);
    (driver.obtainMasterConnection() as Promise<PoolConnection>).then(
      (connection) => {
        if (expired) return connection.release();
        clearTimeout(timer);
        resolve(connection);
      },
      (error: unknown) => {
        if (expired) return;
        clearTimeout(timer);
        reject(error instanceof Error ? error : new DatabaseNotConnectedError(String(error)));
      },
    );
  });
}

/**
 * One pooled MySQL connection, driven through mysql2's own API: prepared statements (the
 * driver caches them per connection), and a deadline this class enforces itself on every
 * statement, PREPARE included. A statement past its deadline closes the connection: the server
 * rolls back, and nothing queued behind the lost answer waits for it.
 */
class MysqlExecutor implements SqlExecutor {
  readonly forUpdate = FOR_UPDATE;
  readonly forShare = FOR_SHARE;
  readonly engine = 'mysql';
  private closed = false;
  private returned = false;

  constructor(
    private readonly connection: PoolConnection,
    private readonly statementTimeoutMs: number,
    /** Called once, when the connection goes back to the pool or is closed. */
    private readonly onReturned: () => void = () => undefined,
    /** Marks every statement on SQL_STATEMENT_CHANNEL (background work). */
    private readonly origin?: string,
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

  async insert(sql: string, parameters: SqlParameter[] = []): Promise<number> {
    return ((await this.prepared(sql, parameters)) as ResultSetHeader).insertId;
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
        publishStatement('mysql', sql, startedAt, error ?? undefined, this.origin);
        if (error) reject(error);
        else resolve(result);
      };
      const timer = setTimeout(() => {
        this.close();
        done(new StatementTimeoutError(`statement timed out after ${this.statementTimeoutMs} ms`));
      }, this.statementTimeoutMs);
      if (prepared) this.executePrepared(sql, values, done);
      else this.connection.query({ sql, values }, done);
    });
  }

  private executePrepared(sql: string, values: SqlParameter[], done: Callback): void {
    let statements = preparedStatements.get(this.connection);
    if (statements === undefined) {
      statements = new Map();
      preparedStatements.set(this.connection, statements);
    }
    const known = statements.get(sql);
    if (known !== undefined) {
      known.execute(values, (error, result) => {
        // Closed by mysql2's cache to make room: prepared anew, and kept again next time.
        if ((error as { code?: unknown } | null)?.code === 'ER_UNKNOWN_STMT_HANDLER') {
          statements.delete(sql);
          this.connection.execute({ sql, values }, done);
        } else {
          done(error, result);
        }
      });
      return;
    }
    this.connection.prepare(sql, (error, statement) => {
      if (error) {
        done(error);
        return;
      }
      if (statements.size < PREPARED_STATEMENTS_PER_CONNECTION) statements.set(sql, statement);
      statement.execute(values, done);
    });
  }
}
