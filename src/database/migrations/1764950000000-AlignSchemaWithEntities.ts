import { MigrationInterface, QueryRunner, TableColumn, TableForeignKey } from 'typeorm';

/** Every foreign key the earlier migrations created, by table. */
const FOREIGN_KEYS: Record<string, string[]> = {
  organization_groups: ['FK_organization_groups_org'],
  memberships: [
    'FK_memberships_user',
    'FK_memberships_organization',
    'FK_memberships_profession',
    'FK_memberships_group',
  ],
  sessions: ['FK_sessions_user', 'FK_sessions_organization'],
  audit_events: ['FK_audit_events_organization'],
  invitations: [
    'FK_invitations_organization',
    'FK_invitations_profession',
    'FK_invitations_group',
    'FK_invitations_invited_by',
    'FK_invitations_accepted_by',
  ],
};

/**
 * The schema exactly as the entities describe it, on both engines, so that TypeORM's schema
 * builder finds nothing to change (test/schema-drift.e2e-spec.ts):
 * - MySQL: foreign keys say ON UPDATE NO ACTION, as SQLite's do; left unsaid, MySQL records
 *   RESTRICT (the same behaviour under another name);
 * - SQLite: `memberships.version` declared INTEGER, the name TypeORM gives an `int` column there.
 */
export class AlignSchemaWithEntities1764950000000 implements MigrationInterface {
  name = 'AlignSchemaWithEntities1764950000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.driver.options.type === 'mysql') {
      await this.setOnUpdate(queryRunner, 'NO ACTION');
    } else {
      await this.setVersionType(queryRunner, 'integer');
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.driver.options.type === 'mysql') {
      await this.setOnUpdate(queryRunner, undefined);
    } else {
      await this.setVersionType(queryRunner, 'int');
    }
  }

  private async setOnUpdate(queryRunner: QueryRunner, onUpdate: string | undefined) {
    for (const [tableName, names] of Object.entries(FOREIGN_KEYS)) {
      const table = await queryRunner.getTable(tableName);
      for (const name of names) {
        const foreignKey = table?.foreignKeys.find((key) => key.name === name);
        if (table === undefined || foreignKey === undefined) {
          throw new Error(`${tableName} has no foreign key ${name}`);
        }
        await queryRunner.dropForeignKey(table, foreignKey);
        await queryRunner.createForeignKey(
          table,
          new TableForeignKey({
            name,
            columnNames: foreignKey.columnNames,
            referencedTableName: foreignKey.referencedTableName,
            referencedColumnNames: foreignKey.referencedColumnNames,
            onDelete: foreignKey.onDelete,
            onUpdate,
          }),
        );
      }
    }
  }

  private async setVersionType(queryRunner: QueryRunner, type: string) {
    await queryRunner.changeColumn(
      'memberships',
      'version',
      new TableColumn({ name: 'version', type, default: 1 }),
    );
  }
}
