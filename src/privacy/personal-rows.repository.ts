import { Injectable } from '@nestjs/common';
import type { FieldChanges } from '../audit';
import type { StoredSession } from '../auth';
import {
  DatabaseService,
  fromDatabaseTimestamp,
  nullableNumber,
  type SqlParameter,
} from '../database';
import {
  type Invitation,
  INVITATION_COLUMNS,
  type InvitationRow,
  toInvitation,
} from '../invitations';
import { MEMBERSHIP_COLUMNS, type Membership, prefixedMembership } from '../users-organizations';

/** The rows of one person an export reads, everywhere or within one organization. */
export interface Reach {
  userId: number;
  /** The user's email key: invitations addressed to it are the person's. */
  emailKey: string | null;
  /** An administrator's export: only this organization. */
  organizationId?: number;
}

export interface PersonRow {
  id: number;
  issuer: string;
  subject: string;
  email: string | null;
  emailKey: string | null;
  createdAt: Date;
}

export interface AuditRowAbout {
  id: number;
  organizationId: number;
  actorUserId: number | null;
  actorClientId: string | null;
  targetUserId: number | null;
  invitationId: number | null;
  action: string;
  changes: FieldChanges;
  requestId: string | null;
  createdAt: Date;
}

/** Rows read per statement while an export streams the audit trail. */
export const AUDIT_PAGE_SIZE = 500;

const AUDIT_COLUMNS =
  '`id`, `organizationId`, `actorUserId`, `actorClientId`, `targetUserId`, `invitationId`, ' +
  '`action`, `changes`, `requestId`, `createdAt`';

type Row = Record<string, unknown>;
const within = (reach: Reach, column: string) =>
  reach.organizationId === undefined ? '' : ` AND ${column} = ?`;
const withinValue = (reach: Reach): SqlParameter[] =>
  reach.organizationId === undefined ? [] : [reach.organizationId];

/**
 * Reads a person's data across the tables (DESIGN 15), each by an index that leads with the
 * person: their user row, memberships, sessions and the invitations addressed to them, and the
 * audit rows about them page by page, so that an export never holds the whole trail.
 */
@Injectable()
export class PersonalRowsRepository {
  constructor(private readonly database: DatabaseService) {}

  async person(userId: number): Promise<PersonRow | null> {
    const rows = await this.database.query<Row>(
      'SELECT `id`, `issuer`, `subject`, `email`, `emailKey`, `createdAt` FROM `users` ' +
        'WHERE `id` = ? AND `deletedAt` IS NULL',
      [userId],
    );
    if (rows.length === 0) return null;
    const row = rows[0];
    return {
      id: Number(row.id),
      issuer: row.issuer as string,
      subject: row.subject as string,
      email: row.email as string | null,
      emailKey: row.emailKey as string | null,
      createdAt: fromDatabaseTimestamp(row.createdAt as string) as Date,
    };
  }

  async memberships(reach: Reach): Promise<Membership[]> {
    const rows = await this.database.query<Row>(
      `SELECT ${MEMBERSHIP_COLUMNS} FROM \`memberships\` m WHERE m.\`userId\` = ?` +
        `${within(reach, 'm.`organizationId`')} ORDER BY m.\`id\``,
      [reach.userId, ...withinValue(reach)],
    );
    return rows.map((row) => prefixedMembership(row, '') as Membership);
  }

  /** Addressed to the person: to their email key, or accepted by them. */
  async invitations(reach: Reach): Promise<Invitation[]> {
    const rows = await this.database.query<Row>(
      `SELECT ${INVITATION_COLUMNS} FROM \`invitations\` i ` +
        'WHERE (i.`emailKey` = ? OR i.`acceptedByUserId` = ?)' +
        `${within(reach, 'i.`organizationId`')} ORDER BY i.\`id\``,
      [reach.emailKey, reach.userId, ...withinValue(reach)],
    );
    return rows.map((row) => toInvitation(row as unknown as InvitationRow));
  }

  async sessions(reach: Reach): Promise<StoredSession[]> {
    const rows = await this.database.query<Row>(
      'SELECT `id`, `organizationId`, `createdAt`, `expiresAt`, `revokedAt`, `mfa` ' +
        `FROM \`sessions\` WHERE \`userId\` = ?${within(reach, '`organizationId`')} ` +
        'ORDER BY `createdAt` DESC, `id`',
      [reach.userId, ...withinValue(reach)],
    );
    return rows.map((row) => ({
      id: row.id as string,
      organizationId: Number(row.organizationId),
      createdAt: fromDatabaseTimestamp(row.createdAt as string) as Date,
      expiresAt: fromDatabaseTimestamp(row.expiresAt as string) as Date,
      revokedAt: fromDatabaseTimestamp(row.revokedAt as string | null),
      mfa: Number(row.mfa) === 1,
    }));
  }

  /**
   * The audit rows about the person in id order, without repeats: those they made, those about
   * them, and those about the invitations addressed to them. Each is read by its own index a page
   * at a time, and the pages are merged.
   */
  async *auditRows(reach: Reach, invitationIds: number[]): AsyncGenerator<AuditRowAbout> {
    const streams = [
      this.pages('`actorUserId` = ?', reach.userId, reach),
      this.pages('`targetUserId` = ?', reach.userId, reach),
      ...invitationIds.map((id) => this.pages('`invitationId` = ?', id, reach)),
    ];
    const heads = await Promise.all(streams.map((stream) => stream.next()));
    let last = 0;
    for (;;) {
      let next = -1;
      heads.forEach((head, index) => {
        if (
          !head.done &&
          (next === -1 || head.value.id < (heads[next].value as AuditRowAbout).id)
        ) {
          next = index;
        }
      });
      if (next === -1) return;
      const row = heads[next].value as AuditRowAbout;
      heads[next] = await streams[next].next();
      if (row.id === last) continue;
      last = row.id;
      yield row;
    }
  }

  private async *pages(
    condition: string,
    value: number,
    reach: Reach,
  ): AsyncGenerator<AuditRowAbout> {
    let afterId = 0;
    for (;;) {
      const rows = await this.database.query<Row>(
        `SELECT ${AUDIT_COLUMNS} FROM \`audit_events\` WHERE ${condition}` +
          `${within(reach, '`organizationId`')} AND \`id\` > ? ORDER BY \`id\` LIMIT ${AUDIT_PAGE_SIZE}`,
        [value, ...withinValue(reach), afterId],
      );
      for (const row of rows) yield auditRow(row);
      if (rows.length < AUDIT_PAGE_SIZE) return;
      afterId = Number(rows[rows.length - 1].id);
    }
  }
}

function auditRow(row: Row): AuditRowAbout {
  return {
    id: Number(row.id),
    organizationId: Number(row.organizationId),
    actorUserId: nullableNumber(row.actorUserId as number | null),
    actorClientId: row.actorClientId as string | null,
    targetUserId: nullableNumber(row.targetUserId as number | null),
    invitationId: nullableNumber(row.invitationId as number | null),
    action: row.action as string,
    changes: JSON.parse(row.changes as string) as FieldChanges,
    requestId: row.requestId as string | null,
    createdAt: fromDatabaseTimestamp(row.createdAt as string) as Date,
  };
}
