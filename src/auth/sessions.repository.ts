import { Injectable } from '@nestjs/common';
import { fromDatabaseTimestamp, toDatabaseTimestamp } from '../database/columns';
import { DatabaseService, SqlExecutor } from '../database/database.service';
import type { Membership } from '../users-organizations/membership';
import { membershipColumns, prefixedMembership } from '../users-organizations/membership.table';

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
  /** The target user's membership in the session organization, when one was asked for. */
  target?: Membership | null;
}

interface ResolvedSessionRow extends Record<string, unknown> {
  sessionId: string;
  sessionUserId: number | string;
  sessionOrganizationId: number | string;
  expiresAt: Date | string;
  revokedAt: Date | string | null;
  subject: string;
  userDeletedAt: Date | string | null;
  organizationDeletedAt: Date | string | null;
}

const CALLER = 'caller_';
const TARGET = 'target_';

/** Built once: the statement differs only by whether the route names a target. */
function resolveSessionSql(withTarget: boolean): string {
  return (
    'SELECT s.`id` AS `sessionId`, s.`userId` AS `sessionUserId`, ' +
    's.`organizationId` AS `sessionOrganizationId`, s.`expiresAt`, s.`revokedAt`, ' +
    'u.`subject`, u.`deletedAt` AS `userDeletedAt`, o.`deletedAt` AS `organizationDeletedAt`, ' +
    membershipColumns('m', CALLER) +
    (withTarget ? `, ${membershipColumns('t', TARGET)} ` : ' ') +
    'FROM `sessions` s ' +
    'JOIN `users` u ON u.`id` = s.`userId` ' +
    'JOIN `organizations` o ON o.`id` = s.`organizationId` ' +
    'LEFT JOIN `memberships` m ON m.`userId` = s.`userId` AND m.`organizationId` = s.`organizationId` ' +
    (withTarget
      ? 'LEFT JOIN `memberships` t ON t.`userId` = ? AND t.`organizationId` = s.`organizationId` '
      : '') +
    'WHERE s.`id` = ?'
  );
}

const RESOLVE_SESSION_SQL = resolveSessionSql(false);
const RESOLVE_SESSION_WITH_TARGET_SQL = resolveSessionSql(true);

@Injectable()
export class SessionsRepository {
  constructor(private readonly database: DatabaseService) {}

  /**
   * One statement for the whole request context: the session, its user, its organization, the
   * caller's membership and, when the route names one, the target's membership.
   */
  async resolve(sessionId: string, targetUserId?: number): Promise<ResolvedSession | null> {
    const withTarget = targetUserId !== undefined;
    const rows = await this.database.query<ResolvedSessionRow>(
      withTarget ? RESOLVE_SESSION_WITH_TARGET_SQL : RESOLVE_SESSION_SQL,
      withTarget ? [targetUserId, sessionId] : [sessionId],
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
      membership: prefixedMembership(row, CALLER),
      ...(withTarget ? { target: prefixedMembership(row, TARGET) } : {}),
    };
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

  async insert(
    executor: SqlExecutor,
    session: {
      id: string;
      userId: number;
      organizationId: number;
      createdAt: Date;
      expiresAt: Date;
    },
  ): Promise<void> {
    await executor.execute(
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

  /** Returns whether the session was live (a second revocation changes nothing). */
  async revoke(executor: SqlExecutor, sessionId: string, revokedAt: Date): Promise<boolean> {
    const revoked = await executor.execute(
      'UPDATE `sessions` SET `revokedAt` = ? WHERE `id` = ? AND `revokedAt` IS NULL',
      [toDatabaseTimestamp(revokedAt), sessionId],
    );
    return revoked === 1;
  }

  /** Revokes every live session of a member in one organization (its membership was removed). */
  async revokeMember(
    executor: SqlExecutor,
    userId: number,
    organizationId: number,
    revokedAt: Date,
  ): Promise<number> {
    return executor.execute(
      'UPDATE `sessions` SET `revokedAt` = ? ' +
        'WHERE `userId` = ? AND `organizationId` = ? AND `revokedAt` IS NULL',
      [toDatabaseTimestamp(revokedAt), userId, organizationId],
    );
  }
}
