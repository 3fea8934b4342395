import { fromDatabaseTimestamp, nullableNumber } from '../database';
import { permissionsOf } from '../users-organizations';
import { Invitation, InvitationStatus } from './invitation';

/** The invitations table's rows, columns and status conditions (`invitations` as `i`). */
export interface InvitationRow {
  id: number | string;
  organizationId: number | string;
  email: string;
  emailKey: string;
  scope: number | string;
  firstName: string;
  lastName: string;
  professionId: number | string | null;
  permissionGroupId: number | string | null;
  readGroupIds: string;
  manageGroupIds: string;
  invitedByUserId: number | string | null;
  tokenHash: string;
  expiresAt: Date | string;
  acceptedAt: Date | string | null;
  acceptedByUserId: number | string | null;
  revokedAt: Date | string | null;
  createdAt: Date | string;
  updatedAt: Date | string;
}

/** An invitation with the hash its token is checked against (never leaves this module). */
export interface StoredInvitation extends Invitation {
  tokenHash: string;
}

export type NewInvitation = Omit<
  Invitation,
  'id' | 'acceptedAt' | 'acceptedByUserId' | 'revokedAt' | 'updatedAt'
> & { tokenHash: string };

export interface InvitationListFilters {
  status?: InvitationStatus;
  /** Only invitations older than this id (the page cursor): newest first. */
  beforeId?: number;
  limit: number;
  now: Date;
}

export const COLUMNS = [
  'id',
  'organizationId',
  'email',
  'emailKey',
  'scope',
  'firstName',
  'lastName',
  'professionId',
  'permissionGroupId',
  'readGroupIds',
  'manageGroupIds',
  'invitedByUserId',
  'tokenHash',
  'expiresAt',
  'acceptedAt',
  'acceptedByUserId',
  'revokedAt',
  'createdAt',
  'updatedAt',
]
  .map((column) => `i.\`${column}\``)
  .join(', ');

export function toInvitation(row: InvitationRow): StoredInvitation {
  return {
    id: Number(row.id),
    organizationId: Number(row.organizationId),
    email: row.email,
    emailKey: row.emailKey,
    scope: Number(row.scope),
    firstName: row.firstName,
    lastName: row.lastName,
    professionId: nullableNumber(row.professionId),
    permissions: permissionsOf(row),
    invitedByUserId: nullableNumber(row.invitedByUserId),
    tokenHash: row.tokenHash,
    expiresAt: fromDatabaseTimestamp(row.expiresAt) as Date,
    acceptedAt: fromDatabaseTimestamp(row.acceptedAt),
    acceptedByUserId: nullableNumber(row.acceptedByUserId),
    revokedAt: fromDatabaseTimestamp(row.revokedAt),
    createdAt: fromDatabaseTimestamp(row.createdAt) as Date,
    updatedAt: fromDatabaseTimestamp(row.updatedAt) as Date,
  };
}

/** Open: neither accepted nor revoked (an expired one is still open until superseded). */
const OPEN = 'i.`acceptedAt` IS NULL AND i.`revokedAt` IS NULL';
export const STATUS_CONDITIONS: Record<InvitationStatus, string> = {
  [InvitationStatus.Pending]: `${OPEN} AND i.\`expiresAt\` > ?`,
  [InvitationStatus.Expired]: `${OPEN} AND i.\`expiresAt\` <= ?`,
  [InvitationStatus.Accepted]: 'i.`acceptedAt` IS NOT NULL',
  [InvitationStatus.Revoked]: 'i.`revokedAt` IS NOT NULL',
};
