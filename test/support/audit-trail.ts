import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuditEventEntity } from '../../src/audit/entities/audit-event.entity';

/** A request id of the test's own, sent as `X-Request-Id` and looked up in the audit trail. */
export const newRequestId = (): string => `test-${randomUUID()}`;

/** The stored audit events matching `where`, oldest first, straight from the database. */
export function storedAuditEvents(
  dataSource: DataSource,
  where: { organizationId?: number; requestId?: string; targetUserId?: number },
): Promise<AuditEventEntity[]> {
  return dataSource.getRepository(AuditEventEntity).find({ where, order: { id: 'ASC' } });
}

/** How many audit events an organization has, all actions together. */
export function countAuditEvents(dataSource: DataSource, organizationId: number): Promise<number> {
  return dataSource.getRepository(AuditEventEntity).countBy({ organizationId });
}
