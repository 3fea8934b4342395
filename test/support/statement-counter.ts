import diagnosticsChannel from 'node:diagnostics_channel';
import { SQL_STATEMENT_CHANNEL } from '../../src/database/database.service';

/**
 * Records every SQL statement the app sends (transaction boundaries included), from the channel
 * DatabaseService publishes each statement on before it goes to the driver.
 */
export class StatementCounter {
  readonly statements: string[] = [];
  private readonly record = (sql: unknown) => {
    this.statements.push(String(sql));
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
