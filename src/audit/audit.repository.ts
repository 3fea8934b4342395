import { Injectable } from '@nestjs/common';
import {
  fromDatabaseTimestamp,
  nullableNumber,
  toDatabaseTimestamp,
  DatabaseService,
  SqlExecutor,
  SqlParameter,
} from '../database';
import { AuditAction, AuditEvent, AuditRecord, FieldChanges, newEventId } from './audit-event';

interface AuditEventRow {
  id: number | string;
  organizationId: number | string;
  actorUserId: number | string | null;
  actorClientId: string | null;
  targetUserId: number | string | null;
  invitationId: number | string | null;
  action: string;
  changes: string;
  requestId: string | null;
  createdAt: Date | string;
}

export interface AuditFilters {
  targetUserId?: number;
  action?: AuditAction;
  /** Only events older than this id (the page cursor). */
  beforeId?: number;
  limit: number;
}

/** The audit trail, always read within one organization. */
@Injectable()
export class AuditRepository {
  constructor(private readonly database: DatabaseService) {}

  /**
   * Written with the executor of the change's own transaction: both commit, or neither. One
   * statement for all of a change's rows, in their order (ids ascend with it). The row is also
   * the event's outbox entry (DESIGN 11): it carries the event id and the view the relay sends,
   * so publishing an event costs the change no statement of its own.
   */
  async record(executor: SqlExecutor, events: AuditRecord[]): Promise<void> {
    if (events.length === 0) return;
    await executor.execute(
      'INSERT INTO `audit_events` ' +
        '(`organizationId`, `actorUserId`, `actorClientId`, `targetUserId`, `invitationId`, ' +
        '`action`, `changes`, `requestId`, `createdAt`, `eventId`, `data`) VALUES ' +
        events.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', '),
      events.flatMap((event) => [
        event.organizationId,
        event.actorUserId,
        event.actorClientId ?? null,
        event.targetUserId,
        event.invitationId ?? null,
        event.action,
        JSON.stringify(event.changes),
        event.requestId,
        toDatabaseTimestamp(event.createdAt),
        event.eventId ?? newEventId(),
        JSON.stringify(event.data ?? {}),
      ]),
    );
  }

  /** Newest first, keyset-paginated by id. */
  async list(organizationId: number, filters: AuditFilters): Promise<AuditEvent[]> {
    const conditions = ['`organizationId` = ?'];
    const values: SqlParameter[] = [organizationId];
    if (filters.targetUserId !== undefined) {
      conditions.push('`targetUserId` = ?');
      values.push(filters.targetUserId);
    }
    if (filters.action !== undefined) {
      conditions.push('`action` = ?');
      values.push(filters.action);
    }
    if (filters.beforeId !== undefined) {
      conditions.push('`id` < ?');
      values.push(filters.beforeId);
    }
    const rows = await this.database.query<AuditEventRow>(
      'SELECT `id`, `organizationId`, `actorUserId`, `actorClientId`, `targetUserId`, `invitationId`, ' +
        '`action`, `changes`, ' +
        '`requestId`, `createdAt` FROM `audit_events` WHERE ' +
        conditions.join(' AND ') +
        ' ORDER BY `id` DESC LIMIT ?',
      [...values, filters.limit],
    );
    return rows.map((row) => ({
      id: Number(row.id),
      organizationId: Number(row.organizationId),
      actorUserId: nullableNumber(row.actorUserId),
      actorClientId: row.actorClientId,
      targetUserId: nullableNumber(row.targetUserId),
      invitationId: nullableNumber(row.invitationId),
      action: row.action as AuditAction,
      changes: JSON.parse(row.changes) as FieldChanges,
      requestId: row.requestId,
      createdAt: fromDatabaseTimestamp(row.createdAt) as Date,
    }));
  }
}
