import { Injectable } from '@nestjs/common';
import { toDatabaseTimestamp, DatabaseService, SqlExecutor, SqlParameter } from '../database';
import { Scope } from './entities/membership.entity';
import { Membership, MembershipChanges } from './membership';
import {
  MEMBERSHIP_COLUMNS,
  MembershipRow,
  permissionValues,
  toMembership,
} from './membership.table';

/** The assignments of every PATCH, in the order of update()'s values; `t.` for the joined form. */
const assignments = (table: '' | 't.') =>
  [
    'firstName',
    'lastName',
    'professionId',
    'scope',
    'permissionGroupId',
    'readGroupIds',
    'manageGroupIds',
    'updatedAt',
  ]
    .map((name) => `${table}\`${name}\` = ?`)
    .concat(`${table}\`version\` = ${table}\`version\` + 1`)
    .join(', ');
const ASSIGNMENTS = assignments('');
const JOINED_ASSIGNMENTS = assignments('t.');

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

export interface FindOptions {
  /** The transaction to read in. */
  executor?: SqlExecutor;
  /**
   * Hold the row until the transaction ends: `true` to change it, `'share'` to rely on it (an
   * actor's rights) while others may rely on it too.
   */
  lock?: boolean | 'share';
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
    options: FindOptions = {},
  ): Promise<Membership | null> {
    const membership = await this.find(organizationId, userId, options);
    return membership?.deletedAt === null ? membership : null;
  }

  /** The membership whether active or soft-deleted. */
  async find(
    organizationId: number,
    userId: number,
    options: FindOptions = {},
  ): Promise<Membership | null> {
    const executor = options.executor ?? this.database;
    const lock =
      options.lock === 'share' ? executor.forShare : options.lock ? executor.forUpdate : '';
    const rows = await executor.query<MembershipRow>(
      `SELECT ${MEMBERSHIP_COLUMNS} FROM \`memberships\` m ` +
        'WHERE m.`organizationId` = ? AND m.`userId` = ?' +
        lock,
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
        ...permissionValues(membership.permissions),
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

  /**
   * Writes the changes only if the row is still the version that was read; returns whether it
   * was written. Every change bumps the version (deletion and restoration too) and a membership
   * never changes organization, so the version alone proves the row is still the one judged.
   * Matching on the primary key alone also keeps InnoDB from locking through a secondary index
   * first, which deadlocked against the locking reads.
   *
   * Every changeable column is written, the unchanged ones with the values read: that version
   * still holds them, so nothing else is overwritten, and one statement text serves every body
   * (a text per combination of fields would crowd the connections' prepared statements).
   *
   * With `actor`, the write also requires the acting member's row to still be the version its
   * rights were judged on (DESIGN 6: a decision stands on the caller's rights at commit time). On
   * MySQL the join reads that row with a lock, so a concurrent demotion either commits first
   * (and this writes nothing) or waits for this transaction. The organization must still be in
   * service, read the same way: a PATCH racing an archive commits before it or writes nothing.
   */
  async update(
    executor: SqlExecutor,
    current: Membership,
    changes: MembershipChanges,
    updatedAt: Date,
    actor?: Pick<Membership, 'id' | 'version'>,
  ): Promise<boolean> {
    const values: SqlParameter[] = [
      changes.firstName ?? current.firstName,
      changes.lastName ?? current.lastName,
      changes.professionId === undefined ? current.professionId : changes.professionId,
      changes.scope ?? current.scope,
      ...permissionValues(changes.permissions ?? current.permissions),
      toDatabaseTimestamp(updatedAt),
    ];
    const target = [current.id, current.version];
    const organization = [current.organizationId];
    const judged = actor === undefined ? [] : [actor.id, actor.version];
    const affected =
      executor.engine === 'mysql'
        ? await executor.execute(
            'UPDATE `memberships` t ' +
              (actor === undefined
                ? ''
                : 'JOIN `memberships` a ON a.`id` = ? AND a.`version` = ? ') +
              'JOIN `organizations` o ON o.`id` = ? AND o.`archivedAt` IS NULL ' +
              `SET ${JOINED_ASSIGNMENTS} WHERE t.\`id\` = ? AND t.\`version\` = ?`,
            [...judged, ...organization, ...values, ...target],
          )
        : // SQLite has no UPDATE ... JOIN; its writers are serialized, so subqueries are as good.
          await executor.execute(
            `UPDATE \`memberships\` SET ${ASSIGNMENTS} WHERE \`id\` = ? AND \`version\` = ? ` +
              (actor === undefined
                ? ''
                : 'AND EXISTS (SELECT 1 FROM `memberships` a WHERE a.`id` = ? AND a.`version` = ?) ') +
              'AND EXISTS (SELECT 1 FROM `organizations` o WHERE o.`id` = ? AND o.`archivedAt` IS NULL)',
            [...values, ...target, ...judged, ...organization],
          );
    return affected === 1;
  }

  /** Brings a deleted membership back with a new profile (an accepted invitation). */
  async restoreWithProfile(
    executor: SqlExecutor,
    current: Membership,
    profile: Pick<Membership, 'scope' | 'firstName' | 'lastName' | 'professionId' | 'permissions'>,
    updatedAt: Date,
  ): Promise<boolean> {
    const affected = await executor.execute(
      'UPDATE `memberships` SET `scope` = ?, `firstName` = ?, `lastName` = ?, `professionId` = ?, ' +
        '`permissionGroupId` = ?, `readGroupIds` = ?, `manageGroupIds` = ?, `deletedAt` = NULL, ' +
        '`updatedAt` = ?, `version` = `version` + 1 WHERE `id` = ? AND `version` = ?',
      [
        profile.scope,
        profile.firstName,
        profile.lastName,
        profile.professionId,
        ...permissionValues(profile.permissions),
        toDatabaseTimestamp(updatedAt),
        current.id,
        current.version,
      ],
    );
    return affected === 1;
  }
}
