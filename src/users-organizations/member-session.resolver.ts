import { Injectable } from '@nestjs/common';
import type { ResolvedSessionContext, SessionContextResolver } from '../auth';
import { fromDatabaseTimestamp, DatabaseService } from '../database';
import type { Membership } from './membership';
import { isAdministrator } from './membership.policy';
import { membershipColumns, prefixedMembership } from './membership.table';

interface SessionContextRow extends Record<string, unknown> {
  sessionId: string;
  sessionUserId: number | string;
  sessionOrganizationId: number | string;
  expiresAt: Date | string;
  revokedAt: Date | string | null;
  issuer: string;
  subject: string;
  userDeletedAt: Date | string | null;
  organizationArchivedAt: Date | string | null;
  mfa: number | string | boolean;
}

const CALLER = 'caller_';
const TARGET = 'target_';

/** Built once: the statement differs only by whether the route names a target. */
function sessionContextSql(withTarget: boolean): string {
  return (
    'SELECT s.`id` AS `sessionId`, s.`userId` AS `sessionUserId`, ' +
    's.`organizationId` AS `sessionOrganizationId`, s.`expiresAt`, s.`revokedAt`, s.`mfa`, ' +
    'u.`issuer`, u.`subject`, u.`deletedAt` AS `userDeletedAt`, o.`archivedAt` AS `organizationArchivedAt`, ' +
    membershipColumns('m', CALLER) +
    (withTarget ? `, ${membershipColumns('t', TARGET)} ` : ' ') +
    'FROM `sessions` s ' +
    'JOIN `users` u ON u.`id` = s.`userId` ' +
    'JOIN `organizations` o ON o.`id` = s.`organizationId` ' +
    'LEFT JOIN `memberships` m ON m.`userId` = s.`userId` AND m.`organizationId` = s.`organizationId` ' +
    // An erased person's membership is nobody's target any more (DESIGN 15): not read,
    // restored, changed or exported.
    (withTarget
      ? 'LEFT JOIN `users` tu ON tu.`id` = ? AND tu.`deletedAt` IS NULL ' +
        'LEFT JOIN `memberships` t ON t.`userId` = tu.`id` AND t.`organizationId` = s.`organizationId` '
      : '') +
    'WHERE s.`id` = ?'
  );
}

const SESSION_CONTEXT_SQL = sessionContextSql(false);
const SESSION_CONTEXT_WITH_TARGET_SQL = sessionContextSql(true);

/**
 * The session guard's reads (auth's SessionContextResolver port), answered by the module that
 * owns memberships: one statement for the session, its user, its organization, the caller's
 * membership and, when the route names one, the target's, which is what keeps a PATCH at five
 * statements.
 */
@Injectable()
export class MemberSessionResolver implements SessionContextResolver<Membership> {
  constructor(private readonly database: DatabaseService) {}

  async resolve(
    sessionId: string,
    targetUserId?: number,
  ): Promise<ResolvedSessionContext<Membership> | null> {
    const withTarget = targetUserId !== undefined;
    const rows = await this.database.query<SessionContextRow>(
      withTarget ? SESSION_CONTEXT_WITH_TARGET_SQL : SESSION_CONTEXT_SQL,
      withTarget ? [targetUserId, sessionId] : [sessionId],
    );
    if (rows.length === 0) return null;
    const row = rows[0];
    const membership = prefixedMembership(row, CALLER);
    return {
      session: {
        sessionId: row.sessionId,
        userId: Number(row.sessionUserId),
        organizationId: Number(row.sessionOrganizationId),
        expiresAt: fromDatabaseTimestamp(row.expiresAt) as Date,
        revokedAt: fromDatabaseTimestamp(row.revokedAt),
        issuer: row.issuer,
        subject: row.subject,
        userDeleted: row.userDeletedAt !== null,
        organizationArchived: row.organizationArchivedAt !== null,
        mfa: Number(row.mfa) === 1,
      },
      caller:
        membership === null || membership.deletedAt !== null
          ? null
          : { membership, administrator: isAdministrator(membership) },
      ...(withTarget ? { target: prefixedMembership(row, TARGET) } : {}),
    };
  }

  async sessionAdmission(userId: number, organizationId: number) {
    const rows = await this.database.query<{
      archivedAt: Date | string | null;
      requireMfa: number | string | boolean;
    }>(
      'SELECT o.`archivedAt`, o.`requireMfa` FROM `memberships` m ' +
        'JOIN `organizations` o ON o.`id` = m.`organizationId` ' +
        'WHERE m.`userId` = ? AND m.`organizationId` = ? AND m.`deletedAt` IS NULL',
      [userId, organizationId],
    );
    if (rows.length === 0) return null;
    return { archived: rows[0].archivedAt !== null, requireMfa: Number(rows[0].requireMfa) === 1 };
  }
}
