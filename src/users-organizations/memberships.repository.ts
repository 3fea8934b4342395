import { Injectable } from '@nestjs/common';
import { fromDatabaseTimestamp, toDatabaseTimestamp } from '../database/columns';
import { DatabaseService, SqlExecutor, SqlParameter } from '../database/database.service';
import { Scope } from './entities/membership.entity';
import { Membership, MembershipChanges } from './membership';

export interface MembershipListFilters {
  includeDeleted: boolean;
  scope?: Scope;
  group?: number;
  professionId?: number;
  /** Case-insensitive prefix of the first or last name. */
  namePrefix?: string;
  /** For members: only themselves and the members of these groups. */
  visibleTo?: { userId: number; groups: number[] };
  afterId?: number;
  limit: number;
}

export type NewMembership = Pick<
  Membership,
  | 'userId'
  | 'organizationId'
  | 'scope'
  | 'firstName'
  | 'lastName'
  | 'professionId'
  | 'permissions'
  | 'createdAt'
>;

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

const MEMBERSHIP_FIELDS = [
  'id',
  'userId',
  'organizationId',
  'scope',
  'firstName',
  'lastName',
  'professionId',
  'permissionGroupId',
  'readGroupIds',
  'manageGroupIds',
  'version',
  'createdAt',
  'updatedAt',
  'deletedAt',
] as const;

/** The select list of a memberships row under a table alias, optionally with prefixed names. */
export function membershipColumns(alias: string, prefix = ''): string {
  return MEMBERSHIP_FIELDS.map(
    (field) => `${alias}.\`${field}\`` + (prefix ? ` AS \`${prefix}${field}\`` : ''),
  ).join(', ');
}

/** Reads back a row selected with `membershipColumns(alias, prefix)`; null if the join missed. */
export function prefixedMembership(
  row: Record<string, unknown>,
  prefix: string,
): Membership | null {
  const names = prefixedNames(prefix);
  if (row[names.id] === null || row[names.id] === undefined) return null;
  const unprefixed: Record<string, unknown> = {};
  for (const field of MEMBERSHIP_FIELDS) unprefixed[field] = row[names[field]];
  return toMembership(unprefixed as unknown as MembershipRow);
}

type PrefixedNames = Record<(typeof MEMBERSHIP_FIELDS)[number], string>;
const prefixedNamesCache = new Map<string, PrefixedNames>();

/** Each field's prefixed column name, worked out once per prefix instead of once per row. */
function prefixedNames(prefix: string): PrefixedNames {
  let names = prefixedNamesCache.get(prefix);
  if (names === undefined) {
    names = Object.fromEntries(
      MEMBERSHIP_FIELDS.map((field) => [field, `${prefix}${field}`]),
    ) as PrefixedNames;
    prefixedNamesCache.set(prefix, names);
  }
  return names;
}

const MEMBERSHIP_COLUMNS = membershipColumns('m');

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
    const membership = await this.find(organizationId, userId, options);
    return membership?.deletedAt === null ? membership : null;
  }

  /** The membership whether active or soft-deleted. */
  async find(
    organizationId: number,
    userId: number,
    options: { executor?: SqlExecutor; lock?: boolean } = {},
  ): Promise<Membership | null> {
    const executor = options.executor ?? this.database;
    const rows = await executor.query<MembershipRow>(
      `SELECT ${MEMBERSHIP_COLUMNS} FROM \`memberships\` m ` +
        'WHERE m.`organizationId` = ? AND m.`userId` = ?' +
        (options.lock ? executor.forUpdate : ''),
      [organizationId, userId],
    );
    return rows.length === 0 ? null : toMembership(rows[0]);
  }

  /** One page of members in membership id order; `limit + 1` rows tell if more follow. */
  async list(organizationId: number, filters: MembershipListFilters): Promise<Membership[]> {
    const conditions = ['m.`organizationId` = ?'];
    const values: SqlParameter[] = [organizationId];
    if (!filters.includeDeleted) conditions.push('m.`deletedAt` IS NULL');
    if (filters.scope !== undefined) {
      conditions.push('m.`scope` = ?');
      values.push(filters.scope);
    }
    if (filters.group !== undefined) {
      conditions.push('m.`permissionGroupId` = ?');
      values.push(filters.group);
    }
    if (filters.professionId !== undefined) {
      conditions.push('m.`professionId` = ?');
      values.push(filters.professionId);
    }
    if (filters.namePrefix !== undefined) {
      const pattern =
        filters.namePrefix.toLowerCase().replace(/[!%_]/g, (char) => `!${char}`) + '%';
      conditions.push(
        "(LOWER(m.`firstName`) LIKE ? ESCAPE '!' OR LOWER(m.`lastName`) LIKE ? ESCAPE '!')",
      );
      values.push(pattern, pattern);
    }
    if (filters.visibleTo !== undefined) {
      const { userId, groups } = filters.visibleTo;
      conditions.push(
        groups.length === 0
          ? 'm.`userId` = ?'
          : `(m.\`userId\` = ? OR m.\`permissionGroupId\` IN (${groups.map(() => '?').join(', ')}))`,
      );
      values.push(userId, ...groups);
    }
    if (filters.afterId !== undefined) {
      conditions.push('m.`id` > ?');
      values.push(filters.afterId);
    }
    const rows = await this.database.query<MembershipRow>(
      `SELECT ${MEMBERSHIP_COLUMNS} FROM \`memberships\` m WHERE ${conditions.join(' AND ')} ` +
        'ORDER BY m.`id` LIMIT ?',
      [...values, filters.limit],
    );
    return rows.map(toMembership);
  }

  async insert(executor: SqlExecutor, membership: NewMembership): Promise<void> {
    const createdAt = toDatabaseTimestamp(membership.createdAt);
    await executor.execute(
      'INSERT INTO `memberships` (`userId`, `organizationId`, `scope`, `firstName`, `lastName`, ' +
        '`professionId`, `permissionGroupId`, `readGroupIds`, `manageGroupIds`, `version`, ' +
        '`createdAt`, `updatedAt`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)',
      [
        membership.userId,
        membership.organizationId,
        membership.scope,
        membership.firstName,
        membership.lastName,
        membership.professionId,
        membership.permissions.group,
        JSON.stringify(membership.permissions.read),
        JSON.stringify(membership.permissions.manage),
        createdAt,
        createdAt,
      ],
    );
  }

  /** Soft-deletes (a date) or restores (null) the version that was read; returns success. */
  async setDeletedAt(
    executor: SqlExecutor,
    current: Membership,
    deletedAt: Date | null,
    updatedAt: Date,
  ): Promise<boolean> {
    const affected = await executor.execute(
      'UPDATE `memberships` SET `deletedAt` = ?, `updatedAt` = ?, `version` = `version` + 1 ' +
        'WHERE `id` = ? AND `version` = ?',
      [
        deletedAt === null ? null : toDatabaseTimestamp(deletedAt),
        toDatabaseTimestamp(updatedAt),
        current.id,
        current.version,
      ],
    );
    return affected === 1;
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

  /**
   * The ids among `groupIds` that are not groups of the organization. The groups found stay
   * share-locked until the transaction ends, so a concurrent group deletion cannot slip in
   * between this check and the write that references them.
   */
  async missingGroups(
    executor: SqlExecutor,
    organizationId: number,
    groupIds: number[],
  ): Promise<number[]> {
    if (groupIds.length === 0) return [];
    const rows = await executor.query<{ id: number | string }>(
      'SELECT `id` FROM `organization_groups` WHERE `organizationId` = ? AND `id` IN (' +
        groupIds.map(() => '?').join(', ') +
        ')' +
        executor.forShare,
      [organizationId, ...groupIds],
    );
    const found = new Set(rows.map((row) => Number(row.id)));
    return groupIds.filter((id) => !found.has(id));
  }

  /**
   * Writes the changes only if the row is still the version that was read; returns whether it
   * was written. Every change bumps the version (deletion and restoration too) and a membership
   * never changes organization, so the version alone proves the row is still the one judged.
   * Matching on the primary key alone also keeps InnoDB from locking through a secondary index
   * first, which deadlocked against the locking reads.
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
        'WHERE `id` = ? AND `version` = ?',
      [...values, current.id, current.version],
    );
    return affected === 1;
  }
}
