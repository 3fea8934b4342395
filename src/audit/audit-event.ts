/** What an audit event records, and what domain events carry. */
export enum AuditAction {
  MembershipCreated = 'membership.created',
  MembershipUpdated = 'membership.updated',
  MembershipDeleted = 'membership.deleted',
  MembershipRestored = 'membership.restored',
  InvitationCreated = 'invitation.created',
  InvitationRevoked = 'invitation.revoked',
  InvitationResent = 'invitation.resent',
  InvitationAccepted = 'invitation.accepted',
  SessionOpened = 'session.opened',
  SessionRevoked = 'session.revoked',
}

/** `{ field: { before, after } }`: only the fields that changed. */
export type FieldChanges = Record<string, { before: unknown; after: unknown }>;

export interface AuditRecord {
  organizationId: number;
  actorUserId: number | null;
  targetUserId: number | null;
  /** The invitation an `invitation.*` event is about. */
  invitationId?: number | null;
  action: AuditAction;
  changes: FieldChanges;
  requestId: string | null;
  createdAt: Date;
}

export interface AuditEvent extends AuditRecord {
  id: number;
  invitationId: number | null;
}
