import { Injectable } from '@nestjs/common';
import { fromDatabaseTimestamp, toDatabaseTimestamp } from '../database/columns';
import { DatabaseService } from '../database/database.service';
import type { Membership } from '../users-organizations/membership';
import {
  MEMBERSHIP_COLUMNS,
  MembershipRow,
  toMembership,
} from '../users-organizations/memberships.repository';

/** Everything one request's authentication needs, read in a single statement. */
export interface ResolvedSession {
  sessionId: string;
  userId: number;
  organizationId: number;
  expiresAt: Date;
  revokedAt: Date | null;
  subject: string;
  userDeleted: boolean;
  organizationDeleted: boolean;
  /** The user's membership in the session organization, active or not; null if none. */
  membership: Membership | null;
}

interface ResolvedSessionRow extends Omit<MembershipRow, 'id'> {
  id: number | string | null;
  sessionId: string;
  sessionUserId: number | string;
  sessionOrganizationId: number | string;
  expiresAt: Date | string;
  revokedAt: Date | string | null;
  subject: string;
  userDeletedAt: Date | string | null;
  organizationDeletedAt: Date | string | null;
}

@Injectable()
export class SessionsRepository {
  constructor(private readonly database: DatabaseService) {}

  async resolve(sessionId: string): Promise<ResolvedSession | null> {
    const rows = await this.database.query<ResolvedSessionRow>(
      'SELECT s.`id` AS `sessionId`, s.`userId` AS `sessionUserId`, ' +
        's.`organizationId` AS `sessionOrganizationId`, s.`expiresAt`, s.`revokedAt`, ' +
        'u.`subject`, u.`deletedAt` AS `userDeletedAt`, o.`deletedAt` AS `organizationDeletedAt`, ' +
        `${MEMBERSHIP_COLUMNS} ` +
        'FROM `sessions` s ' +
        'JOIN `users` u ON u.`id` = s.`userId` ' +
        'JOIN `organizations` o ON o.`id` = s.`organizationId` ' +
        'LEFT JOIN `memberships` m ON m.`userId` = s.`userId` AND m.`organizationId` = s.`organizationId` ' +
        'WHERE s.`id` = ?',
      [sessionId],
    );
    if (rows.length === 0) return null;
    const row = rows[0];
    return {
      sessionId: row.sessionId,
      userId: Number(row.sessionUserId),
      organizationId: Number(row.sessionOrganizationId),
      expiresAt: fromDatabaseTimestamp(row.expiresAt) as Date,
      revokedAt: fromDatabaseTimestamp(row.revokedAt),
      subject: row.subject,
      userDeleted: row.userDeletedAt !== null,
      organizationDeleted: row.organizationDeletedAt !== null,
      membership: row.id === null ? null : toMembership({ ...row, id: row.id }),
    };
  }

  async findActiveUserBySubject(subject: string): Promise<{ id: number; subject: string } | null> {
    const rows = await this.database.query<{ id: number | string; subject: string }>(
      'SELECT `id`, `subject` FROM `users` WHERE `subject` = ? AND `deletedAt` IS NULL',
      [subject],
    );
    return rows.length === 0 ? null : { id: Number(rows[0].id), subject: rows[0].subject };
  }

  async isActiveMember(userId: number, organizationId: number): Promise<boolean> {
    const rows = await this.database.query(
      'SELECT 1 AS `found` FROM `memberships` m ' +
        'JOIN `organizations` o ON o.`id` = m.`organizationId` ' +
        'WHERE m.`userId` = ? AND m.`organizationId` = ? ' +
        'AND m.`deletedAt` IS NULL AND o.`deletedAt` IS NULL',
      [userId, organizationId],
    );
    return rows.length > 0;
  }

  async insert(session: {
    id: string;
    userId: number;
    organizationId: number;
    createdAt: Date;
    expiresAt: Date;
  }): Promise<void> {
    await this.database.execute(
      'INSERT INTO `sessions` (`id`, `userId`, `organizationId`, `createdAt`, `expiresAt`) ' +
        'VALUES (?, ?, ?, ?, ?)',
      [
        session.id,
        session.userId,
        session.organizationId,
        toDatabaseTimestamp(session.createdAt),
        toDatabaseTimestamp(session.expiresAt),
      ],
    );
  }

  async revoke(sessionId: string, revokedAt: Date): Promise<void> {
    await this.database.execute(
      'UPDATE `sessions` SET `revokedAt` = ? WHERE `id` = ? AND `revokedAt` IS NULL',
      [toDatabaseTimestamp(revokedAt), sessionId],
    );
  }
}
