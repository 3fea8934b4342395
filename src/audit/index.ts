/** The audit trail: every change's rows, written in the change's transaction. */
export * from './audit-event';
export * from './audit.module';
export * from './audit.repository';
export * from './change-recorder';
export * from './entities/audit-event.entity';
