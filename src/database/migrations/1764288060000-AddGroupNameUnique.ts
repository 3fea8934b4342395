import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

/** Two teams of one organization cannot share a name. */
export class AddGroupNameUnique1764288060000 implements MigrationInterface {
  name = 'AddGroupNameUnique1764288060000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex(
      'organization_groups',
      new TableIndex({
        name: 'UQ_organization_groups_name',
        columnNames: ['organizationId', 'name'],
        isUnique: true,
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('organization_groups', 'UQ_organization_groups_name');
  }
}
