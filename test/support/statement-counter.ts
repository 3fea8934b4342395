import diagnosticsChannel from 'node:diagnostics_channel';
import { SQL_STATEMENT_CHANNEL, SqlStatementMessage } from '../../src/database/database.service';

/**
 * Records every SQL statement the app sends for requests (transaction boundaries included),
 * from the channel DatabaseService publishes each statement on once the driver answered it.
 * Background work (the event relay) marks its statements with an origin: not counted.
 */
export class StatementCounter {
  readonly statements: string[] = [];
  private readonly record = (message: unknown) => {
    const { sql, origin } = message as SqlStatementMessage;
    if (origin === undefined) this.statements.push(sql);
  };

  constructor() {
    diagnosticsChannel.subscribe(SQL_STATEMENT_CHANNEL.name, this.record);
  }

  reset(): void {
    this.statements.length = 0;
  }

  restore(): void {
    diagnosticsChannel.unsubscribe(SQL_STATEMENT_CHANNEL.name, this.record);
  }
}
