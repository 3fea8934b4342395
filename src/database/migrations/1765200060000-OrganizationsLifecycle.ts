import { MigrationInterface, QueryRunner, TableColumn, TableIndex } from 'typeorm';

/**
 * Organizations have a lifecycle of their own (DESIGN 4, 13): the operator's key (`externalId`,
 * unique, compared byte for byte on MySQL), whether a second factor is required, and archiving,
 * which the soft-delete column always meant (`deletedAt` becomes `archivedAt`), and a version
 * for its ETag.
 */
export class OrganizationsLifecycle1765200060000 implements MigrationInterface {
  name = 'OrganizationsLifecycle1765200060000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const mysql = queryRunner.connection.driver.options.type === 'mysql';
    // RENAME COLUMN keeps the column's definition on both engines (TypeORM's renameColumn
    // rewrites it on MySQL, and loses the timestamp's precision and null default).
    await queryRunner.query(
      'ALTER TABLE `organizations` RENAME COLUMN `deletedAt` TO `archivedAt`',
    );
    await queryRunner.addColumns('organizations', [
      new TableColumn({
        name: 'externalId',
        type: 'varchar',
        length: '64',
        isNullable: true,
        ...(mysql ? { charset: 'utf8mb4', collation: 'utf8mb4_bin' } : {}),
      }),
      new TableColumn({ name: 'requireMfa', type: 'boolean', default: 0 }),
      new TableColumn({ name: 'version', type: mysql ? 'int' : 'integer', default: 1 }),
    ]);
    await queryRunner.createIndex(
      'organizations',
      new TableIndex({
        name: 'UQ_organizations_external_id',
        columnNames: ['externalId'],
        isUnique: true,
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('organizations', 'UQ_organizations_external_id');
    await queryRunner.dropColumn('organizations', 'version');
    await queryRunner.dropColumn('organizations', 'requireMfa');
    await queryRunner.dropColumn('organizations', 'externalId');
    await queryRunner.query(
      'ALTER TABLE `organizations` RENAME COLUMN `archivedAt` TO `deletedAt`',
    );
  }
}
