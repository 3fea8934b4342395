import { Injectable } from '@nestjs/common';
import { toDatabaseTimestamp, type SqlExecutor } from '../database';

/** The sessions table: opened, revoked; read by the session guard through its resolver. */
@Injectable()
export class SessionsRepository {
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
