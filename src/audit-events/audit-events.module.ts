import { Module } from '@nestjs/common';
import { AuditEventsController } from './audit-events.controller';

/** The audit trail as administrators read it (GET /audit-events); the trail is AuditModule's. */
@Module({ controllers: [AuditEventsController] })
export class AuditEventsModule {}
