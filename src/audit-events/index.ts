/** GET /audit-events: the trail as administrators read it. */
export * from './audit-events.module';
export { AuditEventView } from './dto/audit-events.dto';
