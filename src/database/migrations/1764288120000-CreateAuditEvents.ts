import { MigrationInterface, QueryRunner, Table } from 'typeorm';

/** The audit trail: one row per membership or session change, written in its transaction. */
export class CreateAuditEvents1764288120000 implements MigrationInterface {
  name = 'CreateAuditEvents1764288120000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const mysql = queryRunner.connection.driver.options.type === 'mysql';
    const text = mysql ? { charset: 'utf8mb4', collation: 'utf8mb4_bin' } : {};
    await queryRunner.createTable(
      new Table({
        name: 'audit_events',
        engine: mysql ? 'InnoDB' : undefined,
        columns: [
          {
            name: 'id',
            type: mysql ? 'bigint' : 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          { name: 'organizationId', type: 'bigint' },
          { name: 'actorUserId', type: 'bigint', isNullable: true },
          { name: 'targetUserId', type: 'bigint', isNullable: true },
          { name: 'action', type: 'varchar', length: '40', ...text },
          { name: 'changes', type: 'text', ...text },
          { name: 'requestId', type: 'varchar', length: '128', isNullable: true, ...text },
          { name: 'createdAt', type: 'datetime', ...(mysql ? { precision: 3 } : {}) },
        ],
        indices: [
          { name: 'IDX_audit_events_organization', columnNames: ['organizationId', 'id'] },
          {
            name: 'IDX_audit_events_target',
            columnNames: ['organizationId', 'targetUserId', 'id'],
          },
          { name: 'IDX_audit_events_action', columnNames: ['organizationId', 'action', 'id'] },
        ],
        foreignKeys: [
          {
            name: 'FK_audit_events_organization',
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
    await queryRunner.dropTable('audit_events');
  }
}
