import { MigrationInterface, QueryRunner, Table, TableColumnOptions } from 'typeorm';

/** The whole schema of DESIGN section 4, on MySQL/MariaDB and SQLite alike. */
export class CreateSchema1764201600000 implements MigrationInterface {
  name = 'CreateSchema1764201600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const mysql = queryRunner.connection.driver.options.type === 'mysql';
    // SQLite only auto-increments a column declared exactly `integer PRIMARY KEY`.
    const id = (): TableColumnOptions => ({
      name: 'id',
      type: mysql ? 'bigint' : 'integer',
      isPrimary: true,
      isGenerated: true,
      generationStrategy: 'increment',
    });
    const reference = (name: string, isNullable = false): TableColumnOptions => ({
      name,
      type: 'bigint',
      isNullable,
    });
    const text = (name: string, length: number, collation = 'utf8mb4_unicode_ci') => ({
      name,
      type: 'varchar',
      length: String(length),
      ...(mysql ? { charset: 'utf8mb4', collation } : {}),
    });
    const json = (name: string): TableColumnOptions => ({
      name,
      type: 'text',
      ...(mysql ? { charset: 'utf8mb4', collation: 'utf8mb4_bin' } : {}),
    });
    const timestamp = (name: string, isNullable = false): TableColumnOptions => ({
      name,
      type: 'datetime',
      ...(mysql ? { precision: 3 } : {}),
      isNullable,
    });
    const timestamps = [timestamp('createdAt'), timestamp('updatedAt')];
    const engine = mysql ? 'InnoDB' : undefined;

    await queryRunner.createTable(
      new Table({
        name: 'users',
        engine,
        columns: [
          id(),
          text('subject', 255, 'utf8mb4_bin'),
          { ...text('email', 320), isNullable: true },
          ...timestamps,
          timestamp('deletedAt', true),
        ],
        indices: [
          { name: 'UQ_users_subject', columnNames: ['subject'], isUnique: true },
          { name: 'UQ_users_email', columnNames: ['email'], isUnique: true },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'organizations',
        engine,
        columns: [id(), text('name', 250), ...timestamps, timestamp('deletedAt', true)],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'professions',
        engine,
        columns: [id(), text('label', 250), ...timestamps],
        indices: [{ name: 'UQ_professions_label', columnNames: ['label'], isUnique: true }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'organization_groups',
        engine,
        columns: [id(), reference('organizationId'), text('name', 250)],
        indices: [
          { name: 'IDX_organization_groups_organization', columnNames: ['organizationId', 'id'] },
        ],
        foreignKeys: [
          {
            name: 'FK_organization_groups_org',
            columnNames: ['organizationId'],
            referencedTableName: 'organizations',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'memberships',
        engine,
        columns: [
          id(),
          reference('userId'),
          reference('organizationId'),
          { name: 'scope', type: 'smallint' },
          text('firstName', 250),
          text('lastName', 250),
          reference('professionId', true),
          reference('permissionGroupId', true),
          json('readGroupIds'),
          json('manageGroupIds'),
          { name: 'version', type: 'int', default: 1 },
          ...timestamps,
          timestamp('deletedAt', true),
        ],
        indices: [
          {
            name: 'UQ_memberships_user_organization',
            columnNames: ['userId', 'organizationId'],
            isUnique: true,
          },
          {
            name: 'IDX_memberships_organization_scope',
            columnNames: ['organizationId', 'scope', 'deletedAt'],
          },
          { name: 'IDX_memberships_profession', columnNames: ['professionId'] },
          { name: 'IDX_memberships_group', columnNames: ['permissionGroupId'] },
        ],
        foreignKeys: [
          {
            name: 'FK_memberships_user',
            columnNames: ['userId'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
          {
            name: 'FK_memberships_organization',
            columnNames: ['organizationId'],
            referencedTableName: 'organizations',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
          {
            name: 'FK_memberships_profession',
            columnNames: ['professionId'],
            referencedTableName: 'professions',
            referencedColumnNames: ['id'],
            onDelete: 'RESTRICT',
          },
          {
            name: 'FK_memberships_group',
            columnNames: ['permissionGroupId'],
            referencedTableName: 'organization_groups',
            referencedColumnNames: ['id'],
            onDelete: 'RESTRICT',
          },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'sessions',
        engine,
        columns: [
          { ...text('id', 64, 'utf8mb4_bin'), isPrimary: true },
          reference('userId'),
          reference('organizationId'),
          timestamp('createdAt'),
          timestamp('expiresAt'),
          timestamp('revokedAt', true),
        ],
        indices: [
          { name: 'IDX_sessions_user_organization', columnNames: ['userId', 'organizationId'] },
        ],
        foreignKeys: [
          {
            name: 'FK_sessions_user',
            columnNames: ['userId'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
          {
            name: 'FK_sessions_organization',
            columnNames: ['organizationId'],
            referencedTableName: 'organizations',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'sessions',
      'memberships',
      'organization_groups',
      'professions',
      'organizations',
      'users',
    ]) {
      await queryRunner.dropTable(table);
    }
  }
}
