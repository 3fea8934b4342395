import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

/** Keyset pagination of an organization's members: active ones, and all for administrators. */
export class AddMembershipListIndexes1764288000000 implements MigrationInterface {
  name = 'AddMembershipListIndexes1764288000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndices('memberships', [
      new TableIndex({
        name: 'IDX_memberships_organization_active',
        columnNames: ['organizationId', 'deletedAt', 'id'],
      }),
      new TableIndex({
        name: 'IDX_memberships_organization_id',
        columnNames: ['organizationId', 'id'],
      }),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('memberships', 'IDX_memberships_organization_id');
    await queryRunner.dropIndex('memberships', 'IDX_memberships_organization_active');
  }
}
