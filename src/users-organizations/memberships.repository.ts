import { Injectable } from '@nestjs/common';
import { fromDatabaseTimestamp, toDatabaseTimestamp } from '../database/columns';
import { DatabaseService, SqlExecutor, SqlParameter } from '../database/database.service';
import { Scope } from './entities/membership.entity';
import { Membership, MembershipChanges } from './membership';

/** A memberships row as both drivers return it. */
export interface MembershipRow {
  id: number | string;
  userId: number | string;
  organizationId: number | string;
  scope: number;
  firstName: string;
  lastName: string;
  professionId: number | string | null;
  permissionGroupId: number | string | null;
  readGroupIds: string;
  manageGroupIds: string;
  version: number;
  createdAt: Date | string;
  updatedAt: Date | string;
  deletedAt: Date | string | null;
}

export const MEMBERSHIP_COLUMNS =
  'm.`id`, m.`userId`, m.`organizationId`, m.`scope`, m.`firstName`, m.`lastName`, ' +
  'm.`professionId`, m.`permissionGroupId`, m.`readGroupIds`, m.`manageGroupIds`, m.`version`, ' +
  'm.`createdAt`, m.`updatedAt`, m.`deletedAt`';

const nullableNumber = (value: number | string | null): number | null =>
  value === null ? null : Number(value);

export function toMembership(row: MembershipRow): Membership {
  return {
    id: Number(row.id),
    userId: Number(row.userId),
    organizationId: Number(row.organizationId),
    scope: Number(row.scope),
    firstName: row.firstName,
    lastName: row.lastName,
    professionId: nullableNumber(row.professionId),
    permissions: {
      group: nullableNumber(row.permissionGroupId),
      read: JSON.parse(row.readGroupIds) as number[],
      manage: JSON.parse(row.manageGroupIds) as number[],
    },
    version: Number(row.version),
    createdAt: fromDatabaseTimestamp(row.createdAt) as Date,
    updatedAt: fromDatabaseTimestamp(row.updatedAt) as Date,
    deletedAt: fromDatabaseTimestamp(row.deletedAt),
  };
}

/**
 * Memberships, always read within one organization: the organization id is a required filter
 * of every method, so a membership of another organization is simply not found.
 */
@Injectable()
export class MembershipsRepository {
  constructor(private readonly database: DatabaseService) {}

  async findActive(
    organizationId: number,
    userId: number,
    options: { executor?: SqlExecutor; lock?: boolean } = {},
  ): Promise<Membership | null> {
    const executor = options.executor ?? this.database;
    const rows = await executor.query<MembershipRow>(
      `SELECT ${MEMBERSHIP_COLUMNS} FROM \`memberships\` m ` +
        'WHERE m.`organizationId` = ? AND m.`userId` = ? AND m.`deletedAt` IS NULL' +
        (options.lock ? executor.forUpdate : ''),
      [organizationId, userId],
    );
    return rows.length === 0 ? null : toMembership(rows[0]);
  }

  /**
   * Locks the organization's active administrator rows, in id order, and returns their user
   * ids. Counting without the lock would let two demotions on two instances both see "another
   * administrator remains" (write skew).
   */
  async lockActiveAdministrators(executor: SqlExecutor, organizationId: number): Promise<number[]> {
    const rows = await executor.query<{ userId: number | string }>(
      'SELECT `userId` FROM `memberships` ' +
        'WHERE `organizationId` = ? AND `scope` = ? AND `deletedAt` IS NULL ORDER BY `id`' +
        executor.forUpdate,
      [organizationId, Scope.Administrator],
    );
    return rows.map((row) => Number(row.userId));
  }

  async professionExists(executor: SqlExecutor, professionId: number): Promise<boolean> {
    const rows = await executor.query('SELECT 1 AS `found` FROM `professions` WHERE `id` = ?', [
      professionId,
    ]);
    return rows.length > 0;
  }

  /** The ids among `groupIds` that are not groups of the organization. */
  async missingGroups(
    executor: SqlExecutor,
    organizationId: number,
    groupIds: number[],
  ): Promise<number[]> {
    if (groupIds.length === 0) return [];
    const rows = await executor.query<{ id: number | string }>(
      'SELECT `id` FROM `organization_groups` WHERE `organizationId` = ? AND `id` IN (' +
        groupIds.map(() => '?').join(', ') +
        ')',
      [organizationId, ...groupIds],
    );
    const found = new Set(rows.map((row) => Number(row.id)));
    return groupIds.filter((id) => !found.has(id));
  }

  /**
   * Writes the changes only if the row is still the version that was read, still active and
   * still in the organization; returns whether it was written.
   */
  async update(
    executor: SqlExecutor,
    current: Membership,
    changes: MembershipChanges,
    updatedAt: Date,
  ): Promise<boolean> {
    const assignments: string[] = [];
    const values: SqlParameter[] = [];
    const set = (column: string, value: SqlParameter) => {
      assignments.push(`\`${column}\` = ?`);
      values.push(value);
    };
    if (changes.firstName !== undefined) set('firstName', changes.firstName);
    if (changes.lastName !== undefined) set('lastName', changes.lastName);
    if (changes.professionId !== undefined) set('professionId', changes.professionId);
    if (changes.scope !== undefined) set('scope', changes.scope);
    if (changes.permissions !== undefined) {
      set('permissionGroupId', changes.permissions.group);
      set('readGroupIds', JSON.stringify(changes.permissions.read));
      set('manageGroupIds', JSON.stringify(changes.permissions.manage));
    }
    set('updatedAt', toDatabaseTimestamp(updatedAt));
    const affected = await executor.execute(
      `UPDATE \`memberships\` SET ${assignments.join(', ')}, \`version\` = \`version\` + 1 ` +
        'WHERE `id` = ? AND `organizationId` = ? AND `version` = ? AND `deletedAt` IS NULL',
      [...values, current.id, current.organizationId, current.version],
    );
    return affected === 1;
  }
}
