import { Injectable } from '@nestjs/common';
import { toDatabaseTimestamp, type SqlExecutor } from '../database';

/** The sessions table: opened, revoked; read by the session guard through its resolver. */
@Injectable()
export class SessionsRepository {
  /**
   * Opens a session unless its organization is archived meanwhile; returns whether it did. The
   * INSERT reads the organization row with a shared lock (MySQL's INSERT ... SELECT), so it
   * commits before a concurrent archive, whose revocation then covers it, or sees the archive.
   */
  async insert(
    executor: SqlExecutor,
    session: {
      id: string;
      userId: number;
      organizationId: number;
      createdAt: Date;
      expiresAt: Date;
    },
  ): Promise<boolean> {
    const inserted = await executor.execute(
      'INSERT INTO `sessions` (`id`, `userId`, `organizationId`, `createdAt`, `expiresAt`) ' +
        'SELECT ?, ?, o.`id`, ?, ? FROM `organizations` o WHERE o.`id` = ? AND o.`archivedAt` IS NULL',
      [
        session.id,
        session.userId,
        toDatabaseTimestamp(session.createdAt),
        toDatabaseTimestamp(session.expiresAt),
        session.organizationId,
      ],
    );
    return inserted === 1;
  }

  /** Returns whether the session was live (a second revocation changes nothing). */
  async revoke(executor: SqlExecutor, sessionId: string, revokedAt: Date): Promise<boolean> {
    const revoked = await executor.execute(
      'UPDATE `sessions` SET `revokedAt` = ? WHERE `id` = ? AND `revokedAt` IS NULL',
      [toDatabaseTimestamp(revokedAt), sessionId],
    );
    return revoked === 1;
  }

  /** Revokes every live session in an organization (it was archived). */
  async revokeOrganization(
    executor: SqlExecutor,
    organizationId: number,
    revokedAt: Date,
  ): Promise<number> {
    return executor.execute(
      'UPDATE `sessions` SET `revokedAt` = ? WHERE `organizationId` = ? AND `revokedAt` IS NULL',
      [toDatabaseTimestamp(revokedAt), organizationId],
    );
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
