import { MigrationInterface, QueryRunner, Table, TableColumn, TableColumnOptions } from 'typeorm';

/**
 * Invitations (DESIGN 8b), and the audit trail's reference to the invitation an event is about.
 * `pendingEmailKey` holds the email key while the invitation is open (neither accepted nor
 * revoked) and NULL after: its unique index with the organization allows one open invitation
 * per address and organization on both engines (NULLs never collide), and serves "my
 * invitations" by key.
 */
export class CreateInvitations1764547260000 implements MigrationInterface {
  name = 'CreateInvitations1764547260000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const mysql = queryRunner.connection.driver.options.type === 'mysql';
    const text = (name: string, length: number, binary: boolean, isNullable = false) => ({
      name,
      type: 'varchar',
      length: String(length),
      isNullable,
      ...(mysql
        ? { charset: 'utf8mb4', collation: binary ? 'utf8mb4_bin' : 'utf8mb4_unicode_ci' }
        : {}),
    });
    const reference = (name: string, isNullable = false): TableColumnOptions => ({
      name,
      type: 'bigint',
      isNullable,
    });
    const timestamp = (name: string, isNullable = false): TableColumnOptions => ({
      name,
      type: 'datetime',
      ...(mysql ? { precision: 3 } : {}),
      isNullable,
    });
    const json = (name: string): TableColumnOptions => ({
      name,
      type: 'text',
      ...(mysql ? { charset: 'utf8mb4', collation: 'utf8mb4_bin' } : {}),
    });
    await queryRunner.createTable(
      new Table({
        name: 'invitations',
        engine: mysql ? 'InnoDB' : undefined,
        columns: [
          {
            name: 'id',
            type: mysql ? 'bigint' : 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          reference('organizationId'),
          text('email', 320, false),
          text('emailKey', 320, true),
          text('pendingEmailKey', 320, true, true),
          { name: 'scope', type: 'smallint' },
          text('firstName', 250, false),
          text('lastName', 250, false),
          reference('professionId', true),
          reference('permissionGroupId', true),
          json('readGroupIds'),
          json('manageGroupIds'),
          reference('invitedByUserId', true),
          text('tokenHash', 64, true),
          timestamp('expiresAt'),
          timestamp('acceptedAt', true),
          reference('acceptedByUserId', true),
          timestamp('revokedAt', true),
          timestamp('createdAt'),
          timestamp('updatedAt'),
        ],
        indices: [
          {
            name: 'UQ_invitations_pending_email',
            columnNames: ['pendingEmailKey', 'organizationId'],
            isUnique: true,
          },
          { name: 'UQ_invitations_token_hash', columnNames: ['tokenHash'], isUnique: true },
          { name: 'IDX_invitations_organization', columnNames: ['organizationId', 'id'] },
          { name: 'IDX_invitations_expires', columnNames: ['expiresAt'] },
        ],
        foreignKeys: [
          {
            name: 'FK_invitations_organization',
            columnNames: ['organizationId'],
            referencedTableName: 'organizations',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
          {
            name: 'FK_invitations_profession',
            columnNames: ['professionId'],
            referencedTableName: 'professions',
            referencedColumnNames: ['id'],
            onDelete: 'RESTRICT',
          },
          {
            // Deleting a group is refused while an open invitation names it; a closed one
            // forgets it.
            name: 'FK_invitations_group',
            columnNames: ['permissionGroupId'],
            referencedTableName: 'organization_groups',
            referencedColumnNames: ['id'],
            onDelete: 'SET NULL',
          },
          {
            name: 'FK_invitations_invited_by',
            columnNames: ['invitedByUserId'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'SET NULL',
          },
          {
            name: 'FK_invitations_accepted_by',
            columnNames: ['acceptedByUserId'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'SET NULL',
          },
        ],
      }),
    );
    await queryRunner.addColumn(
      'audit_events',
      new TableColumn({ name: 'invitationId', type: 'bigint', isNullable: true }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('audit_events', 'invitationId');
    await queryRunner.dropTable('invitations');
  }
}
