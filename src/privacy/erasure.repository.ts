import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DatabaseService, toDatabaseTimestamp, type SqlExecutor } from '../database';
import { permissionValues, Scope } from '../users-organizations';
import { ERASED, erasedAuditText } from './personal-data';
import { AUDIT_PAGE_SIZE } from './personal-rows.repository';

export interface LockedMembership {
  organizationId: number;
  administrator: boolean;
  active: boolean;
}

export interface LockedInvitation {
  id: number;
  organizationId: number;
}

type Row = Record<string, unknown>;
const NO_PERMISSIONS = permissionValues({ group: null, read: [], manage: [] });

/**
 * The writes of an erasure (DESIGN 15), every one in the caller's transaction and each on rows
 * found by an index that leads with the person, locked before they are judged or written.
 */
@Injectable()
export class ErasureRepository {
  constructor(private readonly database: DatabaseService) {}

  /** Whether an organization the person is an active member of requires a second factor. */
  async requiresSecondFactor(userId: number): Promise<boolean> {
    const rows = await this.database.query<Row>(
      'SELECT o.`id` FROM `memberships` m JOIN `organizations` o ON o.`id` = m.`organizationId` ' +
        'WHERE m.`userId` = ? AND m.`deletedAt` IS NULL AND o.`requireMfa` = 1 LIMIT 1',
      [userId],
    );
    return rows.length > 0;
  }

  /** The person's user row, locked; null when there is none to erase (or it was erased). */
  async lockPerson(
    executor: SqlExecutor,
    userId: number,
  ): Promise<{ emailKey: string | null } | null> {
    const rows = await executor.query<Row>(
      'SELECT `emailKey` FROM `users` WHERE `id` = ? AND `deletedAt` IS NULL' + executor.forUpdate,
      [userId],
    );
    return rows.length === 0 ? null : { emailKey: rows[0].emailKey as string | null };
  }

  async lockMemberships(executor: SqlExecutor, userId: number): Promise<LockedMembership[]> {
    const rows = await executor.query<Row>(
      'SELECT `organizationId`, `scope`, `deletedAt` FROM `memberships` WHERE `userId` = ? ' +
        'ORDER BY `id`' +
        executor.forUpdate,
      [userId],
    );
    return rows.map((row) => ({
      organizationId: Number(row.organizationId),
      administrator: Number(row.scope) === Number(Scope.Administrator),
      active: row.deletedAt === null,
    }));
  }

  /** The invitations addressed to the person: to their email key, or accepted by them. */
  async lockInvitations(
    executor: SqlExecutor,
    emailKey: string | null,
    userId: number,
  ): Promise<LockedInvitation[]> {
    const select = 'SELECT `id`, `organizationId` FROM `invitations` WHERE ';
    const byKey =
      emailKey === null
        ? []
        : await executor.query<Row>(`${select}\`emailKey\` = ?${executor.forUpdate}`, [emailKey]);
    const accepted = await executor.query<Row>(
      `${select}\`acceptedByUserId\` = ?${executor.forUpdate}`,
      [userId],
    );
    const byId = new Map<number, LockedInvitation>();
    for (const row of [...byKey, ...accepted]) {
      byId.set(Number(row.id), { id: Number(row.id), organizationId: Number(row.organizationId) });
    }
    return [...byId.values()].sort((a, b) => a.id - b.id);
  }

  /** Every membership removed (removed ones stay so), its names erased, its rights cleared. */
  async eraseMemberships(executor: SqlExecutor, userId: number, at: Date): Promise<void> {
    const now = toDatabaseTimestamp(at);
    await executor.execute(
      'UPDATE `memberships` SET `firstName` = ?, `lastName` = ?, `professionId` = NULL, ' +
        '`permissionGroupId` = ?, `readGroupIds` = ?, `manageGroupIds` = ?, ' +
        '`deletedAt` = COALESCE(`deletedAt`, ?), `updatedAt` = ?, `version` = `version` + 1 ' +
        'WHERE `userId` = ?',
      [ERASED, ERASED, ...NO_PERMISSIONS, now, now, userId],
    );
  }

  /** Its address and names erased; revoked if it was still pending. */
  async eraseInvitation(executor: SqlExecutor, invitationId: number, at: Date): Promise<void> {
    const now = toDatabaseTimestamp(at);
    await executor.execute(
      'UPDATE `invitations` SET `email` = ?, `emailKey` = ?, `firstName` = ?, `lastName` = ?, ' +
        '`pendingEmailKey` = NULL, `revokedAt` = CASE WHEN `acceptedAt` IS NULL AND ' +
        '`revokedAt` IS NULL AND `expiresAt` > ? THEN ? ELSE `revokedAt` END, `updatedAt` = ? ' +
        'WHERE `id` = ?',
      [ERASED, ERASED, ERASED, ERASED, now, now, now, invitationId],
    );
  }

  /**
   * The person's own values erased from the audit rows about them (as target) and about the
   * invitations addressed to them, read a page at a time with a lock: a change about the person
   * that committed before the erasure locked the memberships is seen here, whatever snapshot
   * the transaction began with.
   */
  async eraseAuditRows(
    executor: SqlExecutor,
    userId: number,
    invitationIds: number[],
  ): Promise<void> {
    await this.eraseAuditRowsWhere(executor, '`targetUserId` = ?', userId);
    for (const invitationId of invitationIds) {
      await this.eraseAuditRowsWhere(executor, '`invitationId` = ?', invitationId);
    }
  }

  private async eraseAuditRowsWhere(
    executor: SqlExecutor,
    condition: string,
    value: number,
  ): Promise<void> {
    let afterId = 0;
    for (;;) {
      const rows = await executor.query<Row>(
        `SELECT \`id\`, \`changes\`, \`data\` FROM \`audit_events\` WHERE ${condition} ` +
          `AND \`id\` > ? ORDER BY \`id\` LIMIT ${AUDIT_PAGE_SIZE}${executor.forUpdate}`,
        [value, afterId],
      );
      for (const row of rows) {
        const erased = erasedAuditText({
          changes: row.changes as string,
          data: row.data as string | null,
        });
        if (erased === null) continue;
        await executor.execute(
          'UPDATE `audit_events` SET `changes` = ?, `data` = ? WHERE `id` = ?',
          [erased.changes, erased.data, row.id as number],
        );
      }
      if (rows.length < AUDIT_PAGE_SIZE) return;
      afterId = Number(rows[rows.length - 1].id);
    }
  }

  /**
   * The user row keeps its id only: its subject becomes a random value (so that signing in
   * again makes a new user), its email and key are cleared.
   */
  async eraseUser(executor: SqlExecutor, userId: number, at: Date): Promise<void> {
    const now = toDatabaseTimestamp(at);
    await executor.execute(
      'UPDATE `users` SET `subject` = ?, `email` = NULL, `emailKey` = NULL, `deletedAt` = ?, ' +
        '`updatedAt` = ? WHERE `id` = ?',
      [`erased:${randomUUID()}`, now, now, userId],
    );
  }
}
