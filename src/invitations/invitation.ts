import type { Scope, Permissions } from '../users-organizations';

export enum InvitationStatus {
  Pending = 'pending',
  Accepted = 'accepted',
  Revoked = 'revoked',
  Expired = 'expired',
}

/** The membership an invitation creates when accepted: exactly these values. */
export interface InvitedProfile {
  scope: Scope;
  firstName: string;
  lastName: string;
  professionId: number | null;
  permissions: Permissions;
}

export interface Invitation extends InvitedProfile {
  id: number;
  organizationId: number;
  /** As the administrator typed it. */
  email: string;
  /** The normalized key accepting by id is matched on. */
  emailKey: string;
  invitedByUserId: number | null;
  expiresAt: Date;
  acceptedAt: Date | null;
  acceptedByUserId: number | null;
  revokedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export function invitationStatus(
  invitation: Pick<Invitation, 'acceptedAt' | 'revokedAt' | 'expiresAt'>,
  now: Date,
): InvitationStatus {
  if (invitation.acceptedAt !== null) return InvitationStatus.Accepted;
  if (invitation.revokedAt !== null) return InvitationStatus.Revoked;
  return invitation.expiresAt.getTime() <= now.getTime()
    ? InvitationStatus.Expired
    : InvitationStatus.Pending;
}
