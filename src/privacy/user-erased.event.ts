import { AuditAction, newEventId, type RecordedChange } from '../audit';

/**
 * Published after an erasure commits, once per organization the person belonged to or was
 * invited into (DESIGN 15): the app's own modules erase their rows about `userId` on it, as
 * the platform's other services do on the webhook or NATS event of the same id.
 */
export class UserErasedEvent {
  static readonly NAME = AuditAction.UserErased;

  constructor(
    readonly organizationId: number,
    readonly userId: number,
    /** The event's UUID: the webhook-id and Nats-Msg-Id the same erasure is delivered with. */
    readonly eventId: string = newEventId(),
  ) {}
}

/** Who erases: the person, or an operator's service client (`users:erase`). */
export interface ErasedBy {
  actorUserId: number | null;
  actorClientId: string | null;
  requestId: string;
}

/** The audit row (and outbox entry) of an erasure in one organization: ids, nothing else. */
export function userErased(
  by: ErasedBy,
  organizationId: number,
  userId: number,
  at: Date,
): RecordedChange {
  const payload = new UserErasedEvent(organizationId, userId);
  return {
    audit: {
      organizationId,
      actorUserId: by.actorUserId,
      actorClientId: by.actorClientId,
      targetUserId: userId,
      action: AuditAction.UserErased,
      changes: {},
      requestId: by.requestId,
      createdAt: at,
      eventId: payload.eventId,
      data: { userId },
    },
    event: { name: UserErasedEvent.NAME, payload },
  };
}
