import { AuditAction, FieldChanges, RecordedChange } from '../audit';
import type { AuthContext } from '../auth';
import { toInvitationView } from './dto/invitation.response';
import type { Invitation } from './invitation';
import { InvitationChangedEvent, InvitationEvents } from './invitation-events';

/** Who invites: an administrator in its session's organization, or a service (DESIGN 13). */
export interface Inviter {
  organizationId: number;
  actorUserId: number | null;
  actorClientId: string | null;
  requestId: string;
}

export function inviterOf(auth: AuthContext): Inviter {
  return {
    organizationId: auth.session.organizationId,
    actorUserId: auth.user.id,
    actorClientId: null,
    requestId: auth.requestId,
  };
}

const AUDIT_ACTION: Record<InvitationEvents, AuditAction> = {
  [InvitationEvents.Created]: AuditAction.InvitationCreated,
  [InvitationEvents.Revoked]: AuditAction.InvitationRevoked,
  [InvitationEvents.Resent]: AuditAction.InvitationResent,
  [InvitationEvents.Accepted]: AuditAction.InvitationAccepted,
};

/** An invitation change as the audit trail (never with the token) and the event record it. */
export function invitationChange(
  by: {
    actorUserId: number | null;
    actorClientId?: string | null;
    requestId: string;
    targetUserId?: number;
  },
  name: InvitationEvents,
  invitation: Invitation,
  changes: FieldChanges,
  delivery?: { token: string; acceptUrl: string | null },
): RecordedChange {
  const payload = new InvitationChangedEvent(
    name,
    invitation.organizationId,
    by.actorUserId,
    toInvitationView(invitation, invitation.updatedAt),
    changes,
    by.requestId,
    delivery === undefined ? undefined : { email: invitation.email, ...delivery },
    by.actorClientId ?? null,
  );
  return {
    audit: {
      organizationId: invitation.organizationId,
      actorUserId: by.actorUserId,
      actorClientId: by.actorClientId ?? null,
      targetUserId: by.targetUserId ?? null,
      invitationId: invitation.id,
      action: AUDIT_ACTION[name],
      changes,
      requestId: by.requestId,
      createdAt: invitation.updatedAt,
      eventId: payload.eventId,
      // The view, never `delivery`: the token stays in process.
      data:
        payload.actorClientId === null
          ? { invitation: payload.invitation }
          : { invitation: payload.invitation, actorClientId: payload.actorClientId },
    },
    event: { name, payload },
  };
}

/** A creation in the audit trail: every initial value, each with `before: null`. */
export function creationChanges(invitation: Invitation): FieldChanges {
  const { email, scope, firstName, lastName, professionId, permissions, expiresAt } = invitation;
  return Object.fromEntries(
    Object.entries({
      email,
      scope,
      firstName,
      lastName,
      professionId,
      permissions,
      expiresAt: expiresAt.toISOString(),
    }).map(([field, after]) => [field, { before: null, after }]),
  );
}
