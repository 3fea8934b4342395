import { Injectable } from '@nestjs/common';
import { DatabaseService, SqlExecutor } from '../database/database.service';

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
    const rows = await executor.query(
      'SELECT 1 AS `found` FROM `memberships` WHERE `organizationId` = ? AND (' +
        `\`permissionGroupId\` = ? OR ${idListContains('readGroupIds')} OR ` +
        `${idListContains('manageGroupIds')}) LIMIT 1`,
      [organizationId, groupId, pattern, pattern],
    );
    return rows.length > 0;
  }

  async delete(executor: SqlExecutor, group: Group): Promise<void> {
    await executor.execute(
      'DELETE FROM `organization_groups` WHERE `organizationId` = ? AND `id` = ?',
      [group.organizationId, group.id],
    );
  }
}
