import type { DataSource, Logger } from 'typeorm';

/**
 * Records every SQL statement the app sends through TypeORM (transaction boundaries included:
 * TypeORM sends them as statements too), by standing in for the DataSource's logger.
 */
export class StatementCounter {
  readonly statements: string[] = [];
  private readonly original: Logger;

  constructor(private readonly dataSource: DataSource) {
    this.original = dataSource.logger;
    const record = (query: string) => {
      this.statements.push(query);
    };
    const counting: Logger = {
      logQuery: record,
      logQueryError: () => undefined,
      logQuerySlow: () => undefined,
      logSchemaBuild: () => undefined,
      logMigration: () => undefined,
      log: () => undefined,
    };
    Object.defineProperty(dataSource, 'logger', { value: counting, configurable: true });
  }

  reset(): void {
    this.statements.length = 0;
  }

  restore(): void {
    Object.defineProperty(this.dataSource, 'logger', { value: this.original, configurable: true });
  }
}
