import type { SqlExecutor } from './sql-statements';

/** Connections the app's requests hold, and requests waiting for one (for the metrics). */
export interface PoolUsage {
  inUse: number;
  waiting: number;
}

/**
 * How statements reach one engine: MySQL through its pool, SQLite through its one connection.
 * DatabaseModule picks the engine once, in a provider factory; DatabaseService and the
 * repositories never ask which it is.
 */
export interface SqlEngine {
  readonly name: 'mysql' | 'sqlite';
  /** ` FOR UPDATE` where the engine locks rows; SQLite serializes writers instead. */
  readonly forUpdate: string;
  readonly forShare: string;
  usage(): PoolUsage;
  /**
   * Statements outside a transaction; on MySQL, on a connection held for the whole of `work`.
   * `origin` marks background work: its statements carry it on the channel, and it is not
   * counted as a request's connection.
   */
  session<T>(work: (executor: SqlExecutor) => Promise<T>, origin?: string): Promise<T>;
  /** One attempt at `work` in a transaction: all of it commits, or none. */
  transaction<T>(work: (executor: SqlExecutor) => Promise<T>, origin?: string): Promise<T>;
}

/** The token the engine is provided under. */
export const SQL_ENGINE = Symbol('SQL_ENGINE');

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

  constructor(message = 'not connected to the database yet') {
    super(message);
  }
}
