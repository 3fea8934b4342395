import diagnosticsChannel from 'node:diagnostics_channel';
import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { SeriesHistogram } from '../common/metrics/series-histogram';
import { DatabaseService } from './database.service';
import { SQL_STATEMENT_CHANNEL, SqlStatementMessage } from './sql-statements';
import { MetricsService } from '../common/metrics/metrics.service';

const OPERATIONS = new Map([
  ['SELECT', 'select'],
  ['INSERT', 'insert'],
  ['UPDATE', 'update'],
  ['DELETE', 'delete'],
  ['START', 'begin'],
  ['BEGIN', 'begin'],
  ['COMMIT', 'commit'],
  ['ROLLBACK', 'rollback'],
]);

const STATEMENT_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** The statement's kind, from its first word: a small, fixed label set. */
export function statementOperation(sql: string): string {
  const space = sql.indexOf(' ');
  const word = (space < 0 ? sql : sql.slice(0, space)).toUpperCase();
  return OPERATIONS.get(word) ?? 'other';
}

/** SQL texts whose operation is remembered; the app's statements are a few dozen texts. */
const OPERATION_MEMO_LIMIT = 1000;

/**
 * Database metrics: the pool's connections in use and requests waiting for one (read when
 * scraped), and the duration of every statement, from the channel DatabaseService publishes
 * each statement on once it settled.
 */
@Injectable()
export class DatabaseMetrics implements OnModuleInit, OnModuleDestroy {
  private statements: SeriesHistogram<'operation' | 'outcome'> | undefined;
  private background: SeriesHistogram<'origin' | 'operation' | 'outcome'> | undefined;
  private readonly operations = new Map<string, string>();
  private readonly onStatement = (message: unknown) => {
    const { sql, error, durationMs, origin } = message as SqlStatementMessage;
    const operation = this.operationOf(sql);
    const outcome = error === undefined ? 'ok' : 'error';
    // Background work (the event relay) apart, so requests' statements are what they send.
    const series =
      origin === undefined
        ? this.statements?.seriesFor(`${operation}\n${outcome}`, () => ({ operation, outcome }))
        : this.background?.seriesFor(`${origin}\n${operation}\n${outcome}`, () => ({
            origin,
            operation,
            outcome,
          }));
    series?.observe(durationMs / 1000);
  };

  constructor(
    private readonly metrics: MetricsService,
    private readonly database: DatabaseService,
  ) {}

  onModuleInit(): void {
    if (!this.metrics.enabled) return;
    const database = this.database;
    this.metrics.gauge({
      name: 'db_pool_connections_in_use',
      help: 'Database connections held by requests (SQLite: 1 while its single connection works)',
      collect() {
        this.set(database.poolUsage().inUse);
      },
    });
    this.metrics.gauge({
      name: 'db_pool_requests_waiting',
      help: 'Requests waiting for a database connection (SQLite: queued behind its connection)',
      collect() {
        this.set(database.poolUsage().waiting);
      },
    });
    this.statements = this.metrics.seriesHistogram({
      name: 'db_statement_duration_seconds',
      help: 'SQL statements by operation and outcome (ok, error), from send to answer',
      buckets: STATEMENT_BUCKETS,
    });
    this.background = this.metrics.seriesHistogram({
      name: 'db_background_statement_duration_seconds',
      help: 'SQL statements of background work by origin (event-relay), operation and outcome',
      buckets: STATEMENT_BUCKETS,
    });
    diagnosticsChannel.subscribe(SQL_STATEMENT_CHANNEL.name, this.onStatement);
  }

  private operationOf(sql: string): string {
    let operation = this.operations.get(sql);
    if (operation === undefined) {
      operation = statementOperation(sql);
      if (this.operations.size < OPERATION_MEMO_LIMIT) this.operations.set(sql, operation);
    }
    return operation;
  }

  onModuleDestroy(): void {
    diagnosticsChannel.unsubscribe(SQL_STATEMENT_CHANNEL.name, this.onStatement);
  }
}
