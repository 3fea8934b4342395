import { Injectable } from '@nestjs/common';
import { toDatabaseTimestamp, DatabaseService, SqlExecutor, SqlParameter } from '../database';
import { permissionValues } from '../users-organizations';
import { Invitation, InvitationStatus } from './invitation';
import {
  COLUMNS,
  type InvitationListFilters,
  type InvitationRow,
  type NewInvitation,
  STATUS_CONDITIONS,
  type StoredInvitation,
  toInvitation,
} from './invitation.table';

export type { InvitationListFilters, NewInvitation, StoredInvitation } from './invitation.table';

/**
 * Invitations. Administrators' reads take the organization as a required filter; the invitee's
 * reads go by the id its token or its verified email names, and the caller checks that match.
 */
@Injectable()
export class InvitationsRepository {
  constructor(private readonly database: DatabaseService) {}

  /** Throws the driver's unique violation when the address already has an open invitation. */
  async insert(executor: SqlExecutor, invitation: NewInvitation): Promise<StoredInvitation> {
    const createdAt = toDatabaseTimestamp(invitation.createdAt);
    await executor.execute(
      'INSERT INTO `invitations` (`organizationId`, `email`, `emailKey`, `pendingEmailKey`, ' +
        '`scope`, `firstName`, `lastName`, `professionId`, `permissionGroupId`, `readGroupIds`, ' +
        '`manageGroupIds`, `invitedByUserId`, `tokenHash`, `expiresAt`, `createdAt`, `updatedAt`) ' +
        'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [
        invitation.organizationId,
        invitation.email,
        invitation.emailKey,
        invitation.emailKey,
        invitation.scope,
        invitation.firstName,
        invitation.lastName,
        invitation.professionId,
        ...permissionValues(invitation.permissions),
        invitation.invitedByUserId,
        invitation.tokenHash,
        toDatabaseTimestamp(invitation.expiresAt),
        createdAt,
        createdAt,
      ],
    );
    // Read back by the unique token hash: portable, unlike each driver's insert id.
    const rows = await executor.query<InvitationRow>(
      `SELECT ${COLUMNS} FROM \`invitations\` i WHERE i.\`tokenHash\` = ?`,
      [invitation.tokenHash],
    );
    return toInvitation(rows[0]);
  }

  async find(
    executor: SqlExecutor,
    invitationId: number,
    options: { organizationId?: number; lock?: boolean } = {},
  ): Promise<StoredInvitation | null> {
    const byOrganization = options.organizationId !== undefined;
    const rows = await executor.query<InvitationRow>(
      `SELECT ${COLUMNS} FROM \`invitations\` i WHERE i.\`id\` = ?` +
        (byOrganization ? ' AND i.`organizationId` = ?' : '') +
        (options.lock ? executor.forUpdate : ''),
      byOrganization ? [invitationId, options.organizationId as number] : [invitationId],
    );
    return rows.length === 0 ? null : toInvitation(rows[0]);
  }

  /** The invitation, locked, if its organization still exists (what accepting needs). */
  async findInActiveOrganization(
    executor: SqlExecutor,
    key: { id: number } | { tokenHash: string },
  ): Promise<(StoredInvitation & { organizationActive: boolean }) | null> {
    const byId = 'id' in key;
    const rows = await executor.query<InvitationRow & { organizationArchivedAt: unknown }>(
      `SELECT ${COLUMNS}, o.\`archivedAt\` AS \`organizationArchivedAt\` FROM \`invitations\` i ` +
        'JOIN `organizations` o ON o.`id` = i.`organizationId` ' +
        (byId ? 'WHERE i.`id` = ?' : 'WHERE i.`tokenHash` = ?') +
        executor.forUpdate,
      [byId ? key.id : key.tokenHash],
    );
    return rows.length === 0
      ? null
      : { ...toInvitation(rows[0]), organizationActive: rows[0].organizationArchivedAt === null };
  }

  /** The organization's open invitation for an address (expired or not), locked. */
  async findOpen(
    executor: SqlExecutor,
    organizationId: number,
    emailKey: string,
  ): Promise<StoredInvitation | null> {
    const rows = await executor.query<InvitationRow>(
      `SELECT ${COLUMNS} FROM \`invitations\` i ` +
        'WHERE i.`pendingEmailKey` = ? AND i.`organizationId` = ?' +
        executor.forUpdate,
      [emailKey, organizationId],
    );
    return rows.length === 0 ? null : toInvitation(rows[0]);
  }

  /** The pending invitations a member created in an organization, locked. */
  async pendingCreatedBy(
    executor: SqlExecutor,
    organizationId: number,
    userId: number,
    now: Date,
  ): Promise<StoredInvitation[]> {
    const rows = await executor.query<InvitationRow>(
      `SELECT ${COLUMNS} FROM \`invitations\` i WHERE i.\`organizationId\` = ? ` +
        `AND i.\`invitedByUserId\` = ? AND ${STATUS_CONDITIONS[InvitationStatus.Pending]} ` +
        'ORDER BY i.`id`' +
        executor.forUpdate,
      [organizationId, userId, toDatabaseTimestamp(now)],
    );
    return rows.map(toInvitation);
  }

  /** Whether an active member of the organization last signed in with this address. */
  async isActiveMemberEmail(
    executor: SqlExecutor,
    organizationId: number,
    emailKey: string,
  ): Promise<boolean> {
    const rows = await executor.query(
      'SELECT 1 AS `found` FROM `users` u JOIN `memberships` m ON m.`userId` = u.`id` ' +
        'AND m.`organizationId` = ? AND m.`deletedAt` IS NULL ' +
        'WHERE u.`emailKey` = ? AND u.`deletedAt` IS NULL LIMIT 1',
      [organizationId, emailKey],
    );
    return rows.length > 0;
  }

  async list(organizationId: number, filters: InvitationListFilters): Promise<StoredInvitation[]> {
    const conditions = ['i.`organizationId` = ?'];
    const values: SqlParameter[] = [organizationId];
    if (filters.status !== undefined) {
      conditions.push(STATUS_CONDITIONS[filters.status]);
      if (
        filters.status === InvitationStatus.Pending ||
        filters.status === InvitationStatus.Expired
      ) {
        values.push(toDatabaseTimestamp(filters.now));
      }
    }
    if (filters.beforeId !== undefined) {
      conditions.push('i.`id` < ?');
      values.push(filters.beforeId);
    }
    const rows = await this.database.query<InvitationRow>(
      `SELECT ${COLUMNS} FROM \`invitations\` i WHERE ${conditions.join(' AND ')} ` +
        'ORDER BY i.`id` DESC LIMIT ?',
      [...values, filters.limit],
    );
    return rows.map(toInvitation);
  }

  /** The pending invitations addressed to an email key, in organizations that still exist. */
  async listPendingFor(
    emailKey: string,
    now: Date,
    limit: number,
  ): Promise<(StoredInvitation & { organizationName: string })[]> {
    const rows = await this.database.query<InvitationRow & { organizationName: string }>(
      `SELECT ${COLUMNS}, o.\`name\` AS \`organizationName\` FROM \`invitations\` i ` +
        'JOIN `organizations` o ON o.`id` = i.`organizationId` AND o.`archivedAt` IS NULL ' +
        'WHERE i.`pendingEmailKey` = ? AND i.`expiresAt` > ? ORDER BY i.`id` DESC LIMIT ?',
      [emailKey, toDatabaseTimestamp(now), limit],
    );
    return rows.map((row) => ({ ...toInvitation(row), organizationName: row.organizationName }));
  }

  /** Closes an open invitation: revoked, or (revokedAt null) an expired one superseded. */
  async close(executor: SqlExecutor, invitationId: number, revokedAt: Date | null, at: Date) {
    await executor.execute(
      'UPDATE `invitations` SET `pendingEmailKey` = NULL, `revokedAt` = ?, `updatedAt` = ? ' +
        'WHERE `id` = ?',
      [
        revokedAt === null ? null : toDatabaseTimestamp(revokedAt),
        toDatabaseTimestamp(at),
        invitationId,
      ],
    );
  }

  /** A new token and expiry; the old token stops matching. Reopens an expired invitation. */
  async renew(
    executor: SqlExecutor,
    invitation: Invitation,
    tokenHash: string,
    expiresAt: Date,
    at: Date,
  ): Promise<void> {
    await executor.execute(
      'UPDATE `invitations` SET `tokenHash` = ?, `expiresAt` = ?, `pendingEmailKey` = ?, ' +
        '`updatedAt` = ? WHERE `id` = ?',
      [
        tokenHash,
        toDatabaseTimestamp(expiresAt),
        invitation.emailKey,
        toDatabaseTimestamp(at),
        invitation.id,
      ],
    );
  }

  async markAccepted(executor: SqlExecutor, invitationId: number, userId: number, at: Date) {
    const stamp = toDatabaseTimestamp(at);
    await executor.execute(
      'UPDATE `invitations` SET `acceptedAt` = ?, `acceptedByUserId` = ?, ' +
        '`pendingEmailKey` = NULL, `updatedAt` = ? WHERE `id` = ?',
      [stamp, userId, stamp, invitationId],
    );
  }
}
