import diagnosticsChannel from 'node:diagnostics_channel';
import { performance } from 'node:perf_hooks';

export type SqlParameter = string | number | null;

/** What a statement run inside or outside a transaction can do. */
export interface SqlExecutor {
  query<Row>(sql: string, parameters?: SqlParameter[]): Promise<Row[]>;
  /** Runs a write; resolves to the number of rows it changed. */
  execute(sql: string, parameters?: SqlParameter[]): Promise<number>;
  /** Runs an INSERT of one row; resolves to the id the database gave it. */
  insert(sql: string, parameters?: SqlParameter[]): Promise<number>;
  /** ` FOR UPDATE` where the engine locks rows; SQLite serializes writers instead. */
  readonly forUpdate: string;
  /** A shared lock: the rows read cannot be changed or deleted until the transaction ends. */
  readonly forShare: string;
  /** For the rare statement the two engines cannot share (an UPDATE joined to its own table). */
  readonly engine: 'mysql' | 'sqlite';
}

/** What SQL_STATEMENT_CHANNEL publishes: a statement, once the database answered or failed it. */
export interface SqlStatementMessage {
  sql: string;
  engine: 'mysql' | 'sqlite';
  /** Set when the statement failed, timed out included. */
  error?: unknown;
  /**
   * From the moment the statement was handed to the driver to its answer, in milliseconds:
   * network and server time, plus any wait behind the connection's earlier statements.
   */
  durationMs: number;
  /** Set on statements of background work (`event-relay`): no request sent them. */
  origin?: string;
}

/** Marks the statements of background work, so that a watcher can tell them from requests'. */
export interface StatementOptions {
  origin?: string;
}

/**
 * Every statement the app sends, transaction boundaries included, published once it settled:
 * a hook for tracing, for metrics (statement durations), for counting a PATCH's statements, and
 * for telling when a transaction committed. Costs one property read per statement while nobody
 * subscribes.
 */
export const SQL_STATEMENT_CHANNEL = diagnosticsChannel.channel('users-organizations:sql');

/** `startedAt` is performance.now() when the statement was sent. */
export function publishStatement(
  engine: 'mysql' | 'sqlite',
  sql: string,
  startedAt: number,
  error?: unknown,
  origin?: string,
): void {
  if (SQL_STATEMENT_CHANNEL.hasSubscribers) {
    const durationMs = performance.now() - startedAt;
    const message: SqlStatementMessage =
      error === undefined ? { sql, engine, durationMs } : { sql, engine, error, durationMs };
    if (origin !== undefined) message.origin = origin;
    SQL_STATEMENT_CHANNEL.publish(message);
  }
}

/** Runs one statement (of the embedded database), published once it settled. */
export async function published<T>(
  sql: string,
  run: () => Promise<T>,
  origin?: string,
): Promise<T> {
  const startedAt = performance.now();
  try {
    const result = await run();
    publishStatement('sqlite', sql, startedAt, undefined, origin);
    return result;
  } catch (error) {
    publishStatement('sqlite', sql, startedAt, error, origin);
    throw error;
  }
}
