/**
 * The reference: the 4 statements any PATCH needs (session, caller, update, read back) as
 * prepared statements, no transaction (the UPDATE is one atomic, conditional statement). It keeps
 * the token and session rules and the profile/scope permission rules; like the reference
 * figure it takes no lock for the last-administrator rule and writes no audit event.
 */
import type { Pool, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { Changes, HttpError, MembershipRow, TokenClaims, toDatabaseTimestamp } from './common';

const SESSION =
  'SELECT s.`userId`, s.`organizationId`, s.`expiresAt`, s.`revokedAt`, u.`subject`, ' +
  'u.`deletedAt` AS `userDeletedAt` FROM `sessions` s JOIN `users` u ON u.`id` = s.`userId` ' +
  'WHERE s.`id` = ?';

const CALLER =
  'SELECT m.`userId`, m.`scope`, m.`manageGroupIds` FROM `memberships` m ' +
  'JOIN `organizations` o ON o.`id` = m.`organizationId` AND o.`archivedAt` IS NULL ' +
  'WHERE m.`userId` = ? AND m.`organizationId` = ? AND m.`deletedAt` IS NULL';

const UPDATE =
  'UPDATE `memberships` SET `firstName` = COALESCE(?, `firstName`), ' +
  '`lastName` = COALESCE(?, `lastName`), `scope` = COALESCE(?, `scope`), `updatedAt` = ?, ' +
  '`version` = `version` + 1 ' +
  'WHERE `organizationId` = ? AND `userId` = ? AND `deletedAt` IS NULL';

/** A member who is neither the target nor an administrator updates only groups it manages. */
const UPDATE_MANAGED = UPDATE + ' AND JSON_CONTAINS(?, CAST(`permissionGroupId` AS CHAR))';

const READ_BACK =
  'SELECT `id`, `userId`, `organizationId`, `scope`, `firstName`, `lastName`, `professionId`, ' +
  '`permissionGroupId`, `readGroupIds`, `manageGroupIds`, `version`, `createdAt`, `updatedAt`, ' +
  '`deletedAt` FROM `memberships` WHERE `organizationId` = ? AND `userId` = ? AND `deletedAt` IS NULL';

export async function referencePatch(
  pool: Pool,
  claims: TokenClaims,
  targetUserId: number,
  changes: Changes,
): Promise<MembershipRow> {
  const now = new Date();
  const [sessions] = await pool.execute<RowDataPacket[]>(SESSION, [claims.sessionId]);
  const session = sessions[0];
  if (!session) throw new HttpError(401, 'SESSION_NOT_FOUND');
  if (Number(session.userId) !== claims.userId || session.subject !== claims.subject) {
    throw new HttpError(401, 'SESSION_TOKEN_INVALID');
  }
  if (session.userDeletedAt !== null) throw new HttpError(401, 'USER_UNKNOWN');
  if (session.revokedAt !== null) throw new HttpError(401, 'SESSION_REVOKED');
  if ((session.expiresAt as Date).getTime() <= now.getTime()) {
    throw new HttpError(401, 'SESSION_EXPIRED');
  }
  const organizationId = Number(session.organizationId);

  const [callers] = await pool.execute<RowDataPacket[]>(CALLER, [claims.userId, organizationId]);
  const caller = callers[0];
  if (!caller) throw new HttpError(401, 'MEMBERSHIP_INACTIVE');
  const administrator = Number(caller.scope) === 1;
  if (changes.scope !== undefined && !administrator) {
    throw new HttpError(403, 'SCOPE_CHANGE_FORBIDDEN');
  }

  const self = targetUserId === claims.userId;
  const parameters = [
    changes.firstName ?? null,
    changes.lastName ?? null,
    changes.scope ?? null,
    toDatabaseTimestamp(now),
    organizationId,
    targetUserId,
  ];
  const [header] =
    administrator || self
      ? await pool.execute<ResultSetHeader>(UPDATE, parameters)
      : await pool.execute<ResultSetHeader>(UPDATE_MANAGED, [
          ...parameters,
          String(caller.manageGroupIds),
        ]);
  if (header.affectedRows !== 1) throw new HttpError(404, 'MEMBERSHIP_NOT_FOUND');

  const [rows] = await pool.execute<RowDataPacket[]>(READ_BACK, [organizationId, targetUserId]);
  if (!rows[0]) throw new HttpError(404, 'MEMBERSHIP_NOT_FOUND');
  return rows[0] as unknown as MembershipRow;
}
