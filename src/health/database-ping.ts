import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { DatabaseService } from '../database';

/**
 * `SELECT 1` through DatabaseService, not terminus's TypeORM ping: a ping that times out must
 * drop its connection (DatabaseService does), or the pool would hand that stuck connection to
 * the next request, which would then wait behind it with no deadline.
 */
@Injectable()
export class DatabasePing {
  constructor(
    private readonly database: DatabaseService,
    private readonly indicators: HealthIndicatorService,
  ) {}

  async check(key: string): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check(key);
    try {
      await this.database.query('SELECT 1 AS `ok`');
      return indicator.up();
    } catch {
      return indicator.down({ reason: 'the database does not answer' });
    }
  }
}
