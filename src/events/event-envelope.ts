import { VIEW_ONLY_ACTIONS } from '../audit';
import { fromDatabaseTimestamp } from '../database';

/**
 * An event as it leaves the process (DESIGN 11): the body of a webhook delivery and of a NATS
 * message. `data` holds the view after the change (`membership`, `invitation` or `session`),
 * the changed fields and who made the change.
 */
export interface EventEnvelope {
  /** UUID v7: the webhook-id and the Nats-Msg-Id. */
  id: string;
  type: string;
  /** When the change was made (ISO-8601, UTC, milliseconds). */
  timestamp: string;
  organizationId: number;
  data: Record<string, unknown>;
}

/**
 * A committed event as the relay hands it to the sinks: what they route it by, and its body for
 * a sink that sends it at once (built only when asked for).
 */
export interface PendingEvent {
  /** The audit row's id: the order the relay keeps; never sent anywhere. */
  auditId: number;
  type: string;
  organizationId: number;
  createdAt: Date;
  envelope(): OutboxEvent;
}

export function pendingEvent(row: EnvelopeRow): PendingEvent {
  let built: OutboxEvent | undefined;
  return {
    auditId: Number(row.auditId),
    type: row.action,
    organizationId: Number(row.organizationId),
    createdAt: fromDatabaseTimestamp(row.createdAt) as Date,
    envelope: () => (built ??= outboxEvent(row)),
  };
}

/** A committed event with its body, as a sink reads it from its audit row to send it. */
export interface OutboxEvent {
  /** The audit row's id: the order the relay keeps; never sent anywhere. */
  auditId: number;
  /** The event's UUID: the webhook-id and the Nats-Msg-Id. */
  id: string;
  type: string;
  organizationId: number;
  createdAt: Date;
  /** The EventEnvelope as JSON text: the body of a webhook delivery and of a NATS message. */
  body: string;
}

/** The audit columns an envelope is made of, for statements that join `audit_events` as `a`. */
export const ENVELOPE_COLUMNS =
  'a.`id` AS `auditId`, a.`eventId`, a.`action`, a.`organizationId`, a.`actorUserId`, ' +
  'a.`changes`, a.`data`, a.`createdAt`';

export interface EnvelopeRow {
  auditId: number | string;
  eventId: string;
  action: string;
  organizationId: number | string;
  actorUserId: number | string | null;
  changes: string;
  data: string | null;
  createdAt: Date | string;
}

export function outboxEvent(row: EnvelopeRow): OutboxEvent {
  const createdAt = fromDatabaseTimestamp(row.createdAt) as Date;
  const organizationId = Number(row.organizationId);
  const actorUserId = row.actorUserId === null ? null : Number(row.actorUserId);
  return {
    auditId: Number(row.auditId),
    id: row.eventId,
    type: row.action,
    organizationId,
    createdAt,
    // JSON.stringify of the EventEnvelope, keys in its order.
    body:
      `{"id":${JSON.stringify(row.eventId)},"type":${JSON.stringify(row.action)},` +
      `"timestamp":"${createdAt.toISOString()}","organizationId":${organizationId},` +
      `"data":${VIEW_ONLY_ACTIONS.has(row.action) ? (row.data ?? '{}') : dataText(row.data, row.changes, actorUserId)}}`,
  };
}

/**
 * The envelope's `data`, `{...view, changes, actorUserId}`, as JSON text. Both columns hold what
 * JSON.stringify wrote, so the view's members and the changes are spliced in as they are stored
 * instead of parsed and written again (a delivery's largest cost after the HTTP exchange); a
 * view that is not an object, or that names `changes` or `actorUserId` itself, is merged the
 * slow way, so that the result is always what stringifying the merged object gives.
 */
function dataText(view: string | null, changes: string, actorUserId: number | null): string {
  const stored = view ?? '{}';
  if (
    !stored.startsWith('{') ||
    !stored.endsWith('}') ||
    stored.includes('"changes":') ||
    stored.includes('"actorUserId":')
  ) {
    return JSON.stringify({
      ...(JSON.parse(stored) as Record<string, unknown>),
      changes: JSON.parse(changes) as unknown,
      actorUserId,
    });
  }
  const members = stored.slice(1, -1);
  return `{${members}${members.length > 0 ? ',' : ''}"changes":${changes},"actorUserId":${actorUserId}}`;
}
