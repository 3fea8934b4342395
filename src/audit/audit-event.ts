import { v7 as uuidv7 } from 'uuid';

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
  OrganizationCreated = 'organization.created',
  OrganizationUpdated = 'organization.updated',
  OrganizationArchived = 'organization.archived',
  OrganizationRestored = 'organization.restored',
  UserErased = 'user.erased',
}

/**
 * Events whose envelope `data` is their stored view alone, without `changes` or `actorUserId`:
 * an erasure says whom to erase (DESIGN 15), never who asked or what there was.
 */
export const VIEW_ONLY_ACTIONS: ReadonlySet<string> = new Set([AuditAction.UserErased]);

/** `{ field: { before, after } }`: only the fields that changed. */
export type FieldChanges = Record<string, { before: unknown; after: unknown }>;

export interface AuditRecord {
  organizationId: number;
  actorUserId: number | null;
  /** The service client that made the change (DESIGN 13); then `actorUserId` is null. */
  actorClientId?: string | null;
  targetUserId: number | null;
  /** The invitation an `invitation.*` event is about. */
  invitationId?: number | null;
  action: AuditAction;
  changes: FieldChanges;
  requestId: string | null;
  createdAt: Date;
  /**
   * The event's id (DESIGN 11): its webhook-id and Nats-Msg-Id. A UUID v7, never the row's
   * auto-increment id, which repeats across databases. Made by the repository when unset.
   */
  eventId?: string;
  /**
   * What the event's `data` holds besides `changes`: the view after the change, under its kind
   * (`{ membership }`, `{ invitation }`, `{ session }`). Never a secret: it leaves the process.
   */
  data?: Record<string, unknown>;
}

/** A new event id: UUID v7, so ids also sort by time. */
export const newEventId = (): string => uuidv7();

export interface AuditEvent extends Omit<AuditRecord, 'eventId' | 'data'> {
  id: number;
  invitationId: number | null;
  actorClientId: string | null;
}
