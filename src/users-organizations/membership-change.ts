import { AuditAction, FieldChanges, type RecordedChange } from '../audit';
import { MembershipView, toMembershipView } from './dto/membership.response';
import { etagOf, Membership } from './membership';
import { MembershipChangedEvent, MembershipEvents } from './membership-events';

/** What a use case answers: the view and its entity tag. */
export interface MembershipResult {
  view: MembershipView;
  etag: string;
}

export function membershipResult(membership: Membership): MembershipResult {
  return { view: toMembershipView(membership), etag: etagOf(membership) };
}

const AUDIT_ACTION: Record<MembershipEvents, AuditAction> = {
  [MembershipEvents.Created]: AuditAction.MembershipCreated,
  [MembershipEvents.Updated]: AuditAction.MembershipUpdated,
  [MembershipEvents.Deleted]: AuditAction.MembershipDeleted,
  [MembershipEvents.Restored]: AuditAction.MembershipRestored,
};

/** A membership change as the audit trail and the in-process event both record it. */
export function membershipChange(
  by: { user: { id: number }; requestId: string },
  name: MembershipEvents,
  membership: Membership,
  changes: FieldChanges,
): RecordedChange {
  const payload = new MembershipChangedEvent(
    name,
    membership.organizationId,
    membership.userId,
    by.user.id,
    toMembershipView(membership),
    changes,
    by.requestId,
  );
  return {
    audit: {
      organizationId: membership.organizationId,
      actorUserId: by.user.id,
      targetUserId: membership.userId,
      action: AUDIT_ACTION[name],
      changes,
      requestId: by.requestId,
      createdAt: membership.updatedAt,
      eventId: payload.eventId,
      data: { membership: payload.membership },
    },
    event: { name, payload },
  };
}
