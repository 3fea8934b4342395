import { Injectable } from '@nestjs/common';
import { DatabaseService, SqlExecutor, SqlParameter } from '../database';

/** What the relay's statements are marked with on SQL_STATEMENT_CHANNEL. */
export const RELAY_ORIGIN = 'event-relay';

/**
 * The database as the relay and its sinks use it: the same connections, with every statement
 * marked `origin: 'event-relay'` on SQL_STATEMENT_CHANNEL, so that whoever watches the channel
 * (a test counting a PATCH's statements, a tracer) can tell background work from requests.
 */
@Injectable()
export class RelayDatabase {
  constructor(private readonly database: DatabaseService) {}

  get engine(): 'mysql' | 'sqlite' {
    return this.database.engine;
  }

  query<Row>(sql: string, parameters: SqlParameter[] = []): Promise<Row[]> {
    return this.database.query<Row>(sql, parameters, { origin: RELAY_ORIGIN });
  }

  execute(sql: string, parameters: SqlParameter[] = []): Promise<number> {
    return this.database.execute(sql, parameters, { origin: RELAY_ORIGIN });
  }

  transaction<T>(work: (executor: SqlExecutor) => Promise<T>): Promise<T> {
    return this.database.transaction(work, { origin: RELAY_ORIGIN });
  }
}
