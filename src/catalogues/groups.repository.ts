import { Injectable } from '@nestjs/common';
import { DatabaseService, SqlExecutor } from '../database';

export interface Group {
  id: number;
  organizationId: number;
  name: string;
}

interface GroupRow {
  id: number | string;
  organizationId: number | string;
  name: string;
}

const GROUP_COLUMNS = '`id`, `organizationId`, `name`';

const toGroup = (row: GroupRow): Group => ({
  id: Number(row.id),
  organizationId: Number(row.organizationId),
  name: row.name,
});

/** `[1,12]` becomes `,1,12,`, so `%,1,%` matches the id 1 and not 12 or 21. */
const idListContains = (column: string) =>
  `REPLACE(REPLACE(\`${column}\`, '[', ','), ']', ',') LIKE ?`;

/**
 * Groups of one organization: every method takes the organization id as a filter, so a group of
 * another organization is simply not found.
 */
@Injectable()
export class GroupsRepository {
  constructor(private readonly database: DatabaseService) {}

  async findAll(organizationId: number): Promise<Group[]> {
    const rows = await this.database.query<GroupRow>(
      `SELECT ${GROUP_COLUMNS} FROM \`organization_groups\` WHERE \`organizationId\` = ? ORDER BY \`id\``,
      [organizationId],
    );
    return rows.map(toGroup);
  }

  /** With `lock`, holds the row until the transaction ends (MySQL; SQLite serializes writers). */
  async find(
    executor: SqlExecutor,
    organizationId: number,
    groupId: number,
    options: { lock?: boolean } = {},
  ): Promise<Group | null> {
    const rows = await executor.query<GroupRow>(
      `SELECT ${GROUP_COLUMNS} FROM \`organization_groups\` WHERE \`organizationId\` = ? AND \`id\` = ?` +
        (options.lock ? executor.forUpdate : ''),
      [organizationId, groupId],
    );
    return rows.length === 0 ? null : toGroup(rows[0]);
  }

  /** Throws the driver's unique violation when the organization already has that name. */
  async insert(executor: SqlExecutor, organizationId: number, name: string): Promise<Group> {
    await executor.execute(
      'INSERT INTO `organization_groups` (`organizationId`, `name`) VALUES (?, ?)',
      [organizationId, name],
    );
    // Read back by the unique (organizationId, name): portable, unlike each driver's insert id.
    const rows = await executor.query<GroupRow>(
      `SELECT ${GROUP_COLUMNS} FROM \`organization_groups\` WHERE \`organizationId\` = ? AND \`name\` = ?`,
      [organizationId, name],
    );
    return toGroup(rows[0]);
  }

  /** Throws the driver's unique violation when another group of the organization has the name. */
  async rename(executor: SqlExecutor, group: Group, name: string): Promise<void> {
    await executor.execute(
      'UPDATE `organization_groups` SET `name` = ? WHERE `organizationId` = ? AND `id` = ?',
      [name, group.organizationId, group.id],
    );
  }

  /**
   * Whether a membership of the organization, deleted ones included (a restore brings their
   * permissions back), has the group as its own or in its read or manage list. The lists are
   * JSON text, so this reads the organization's memberships through its index rather than one
   * row: acceptable for a rare administrative action.
   */
  async isReferenced(executor: SqlExecutor, organizationId: number, groupId: number) {
    const pattern = `%,${groupId},%`;
    const references = (table: string, condition: string) =>
      `SELECT 1 AS \`found\` FROM \`${table}\` WHERE \`organizationId\` = ? AND ${condition}(` +
      `\`permissionGroupId\` = ? OR ${idListContains('readGroupIds')} OR ` +
      `${idListContains('manageGroupIds')})`;
    // Open invitations count too: accepting one creates a membership with their groups.
    const rows = await executor.query(
      `${references('memberships', '')} UNION ALL ` +
        `${references('invitations', '`pendingEmailKey` IS NOT NULL AND ')} LIMIT 1`,
      [organizationId, groupId, pattern, pattern, organizationId, groupId, pattern, pattern],
    );
    return rows.length > 0;
  }

  /**
   * The ids among `groupIds` that are not groups of the organization. The groups found stay
   * share-locked until the transaction ends, so a concurrent group deletion cannot slip in
   * between this check and the write that references them.
   */
  async missing(executor: SqlExecutor, organizationId: number, groupIds: number[]) {
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

  async delete(executor: SqlExecutor, group: Group): Promise<void> {
    await executor.execute(
      'DELETE FROM `organization_groups` WHERE `organizationId` = ? AND `id` = ?',
      [group.organizationId, group.id],
    );
  }
}
