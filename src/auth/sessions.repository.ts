import { Injectable } from '@nestjs/common';
import {
  DatabaseService,
  fromDatabaseTimestamp,
  toDatabaseTimestamp,
  type SqlExecutor,
} from '../database';

interface SessionRow {
  id: string;
  organizationId: number | string;
  createdAt: Date | string;
  expiresAt: Date | string;
  revokedAt: Date | string | null;
  mfa: number | string | boolean;
}

/** A session as its owner may see it: the id stays inside (it is a bearer secret). */
export interface StoredSession {
  id: string;
  organizationId: number;
  createdAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
  mfa: boolean;
}

/** The sessions table: opened, revoked; read by the session guard through its resolver. */
@Injectable()
export class SessionsRepository {
  constructor(private readonly database: DatabaseService) {}

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
      mfa: boolean;
    },
  ): Promise<boolean> {
    // Only into an organization in service, and one requiring a second factor only with one.
    const inserted = await executor.execute(
      'INSERT INTO `sessions` (`id`, `userId`, `organizationId`, `createdAt`, `expiresAt`, `mfa`) ' +
        'SELECT ?, ?, o.`id`, ?, ?, ? FROM `organizations` o ' +
        'WHERE o.`id` = ? AND o.`archivedAt` IS NULL AND o.`requireMfa` IN (0, ?)',
      [
        session.id,
        session.userId,
        toDatabaseTimestamp(session.createdAt),
        toDatabaseTimestamp(session.expiresAt),
        session.mfa ? 1 : 0,
        session.organizationId,
        session.mfa ? 1 : 0,
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

  /** Revokes the organization's live sessions opened without a second factor (now required). */
  async revokeWithoutSecondFactor(
    executor: SqlExecutor,
    organizationId: number,
    revokedAt: Date,
  ): Promise<number> {
    return executor.execute(
      'UPDATE `sessions` SET `revokedAt` = ? ' +
        'WHERE `organizationId` = ? AND `revokedAt` IS NULL AND `mfa` = 0',
      [toDatabaseTimestamp(revokedAt), organizationId],
    );
  }

  /** A user's sessions in every organization, newest first (the most recent 100). */
  async listForUser(userId: number): Promise<StoredSession[]> {
    const rows = await this.database.query<SessionRow>(
      'SELECT `id`, `organizationId`, `createdAt`, `expiresAt`, `revokedAt`, `mfa` ' +
        'FROM `sessions` WHERE `userId` = ? ORDER BY `createdAt` DESC, `id` LIMIT 100',
      [userId],
    );
    return rows.map((row) => ({
      id: row.id,
      organizationId: Number(row.organizationId),
      createdAt: fromDatabaseTimestamp(row.createdAt) as Date,
      expiresAt: fromDatabaseTimestamp(row.expiresAt) as Date,
      revokedAt: fromDatabaseTimestamp(row.revokedAt),
      mfa: Number(row.mfa) === 1,
    }));
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

  /** Revokes every live session of a user, in every organization (the user was erased). */
  async revokeUser(executor: SqlExecutor, userId: number, revokedAt: Date): Promise<void> {
    await executor.execute(
      'UPDATE `sessions` SET `revokedAt` = ? WHERE `userId` = ? AND `revokedAt` IS NULL',
      [toDatabaseTimestamp(revokedAt), userId],
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
