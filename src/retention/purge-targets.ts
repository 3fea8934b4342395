import type { AppConfig } from '../config';
import { NOT_YET } from '../database';

/** What the purge deletes: rows of `table` whose `column` is older than the kept days. */
export interface PurgeTarget {
  /** Names the target in the log and in the purge's result. */
  name: string;
  table: string;
  /** A timestamp column with an index of its own (each batch is a range of it). */
  column: string;
  /** Days a row is kept after `column`; null: this target is not purged. */
  keepDays(config: AppConfig): number | null;
  /** A further condition a row must meet to go (SQL over the table's own columns). */
  also?: string;
}

export const SESSION_RETENTION_DAYS = 7;

export const INVITATION_RETENTION_DAYS = 30;

/** DESIGN section 12. A new target is one more entry here (and an index on its column). */
export const PURGE_TARGETS: readonly PurgeTarget[] = [
  // A session ends when it expires or when it is revoked, whichever comes first: either one
  // past 7 days makes it go. Two targets, so that each batch is a range of one index.
  {
    name: 'expired sessions',
    table: 'sessions',
    column: 'expiresAt',
    keepDays: () => SESSION_RETENTION_DAYS,
  },
  {
    name: 'revoked sessions',
    table: 'sessions',
    column: 'revokedAt',
    keepDays: () => SESSION_RETENTION_DAYS,
  },
  {
    // Never accepted (an accepted invitation is the record of how its member joined).
    name: 'expired invitations',
    table: 'invitations',
    column: 'expiresAt',
    keepDays: () => INVITATION_RETENTION_DAYS,
    also: '`acceptedAt` IS NULL',
  },
  {
    name: 'audit events',
    table: 'audit_events',
    column: 'createdAt',
    // 0 keeps them forever: care organizations are often bound to keep them for years.
    keepDays: (config) => (config.retention.auditDays > 0 ? config.retention.auditDays : null),
    // The trail is the events' outbox: a row goes only once its event has left, to NATS and to
    // every webhook endpoint (deliveries and queue entries would go with it, by cascade).
    also:
      `\`relayedAt\` <> '${NOT_YET}'` +
      ' AND NOT EXISTS (SELECT 1 FROM `event_broker_queue` q WHERE q.`auditEventId` = `audit_events`.`id`)' +
      " AND NOT EXISTS (SELECT 1 FROM `webhook_deliveries` d WHERE d.`auditEventId` = `audit_events`.`id` AND d.`status` = 'pending')",
  },
];
