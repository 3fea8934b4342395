import { Injectable, Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { DatabaseService, SqlExecutor } from '../database';
import type { AuditRecord } from './audit-event';
import { AuditRepository } from './audit.repository';

/** One audited change: its audit row, and the in-process event published once it committed. */
export interface RecordedChange {
  audit: AuditRecord;
  event?: { name: string; payload: object };
}

export interface ChangeOutcome<T> {
  result: T;
  /** Empty for a no-op: nothing audited, nothing published. */
  changes: RecordedChange[];
}

/**
 * Runs a change and its audit rows in one transaction, so a refused or failed request changes
 * nothing and leaves no trace; then publishes its domain events, so a listener never sees a
 * change that rolled back.
 */
@Injectable()
export class ChangeRecorder {
  private readonly logger = new Logger(ChangeRecorder.name);

  constructor(
    private readonly database: DatabaseService,
    private readonly audit: AuditRepository,
    private readonly events: EventEmitter2,
  ) {}

  async run<T>(work: (executor: SqlExecutor) => Promise<ChangeOutcome<T>>): Promise<T> {
    const outcome = await this.database.transaction(async (executor) => {
      const done = await work(executor);
      await this.audit.record(
        executor,
        done.changes.map((change) => change.audit),
      );
      return done;
    });
    for (const { event } of outcome.changes) {
      if (event !== undefined) this.publish(event.name, event.payload);
    }
    return outcome.result;
  }

  private publish(name: string, payload: object): void {
    try {
      this.events.emit(name, payload);
    } catch (error) {
      // The change is committed; a failing listener must not turn it into an error response.
      this.logger.error(
        `A listener of ${name} failed`,
        error instanceof Error ? error.stack : String(error),
      );
    }
  }
}
