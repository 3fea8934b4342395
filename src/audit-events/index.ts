/** GET /audit-events: the trail as administrators read it. */
export * from './audit-events.module';
