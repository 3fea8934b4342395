import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

/**
 * An organization's live sessions, found without scanning the table: archiving an organization
 * revokes them all at once (DESIGN 13), and so does requiring a second factor (DESIGN 15).
 */
export class SessionsByOrganization1765200180000 implements MigrationInterface {
  name = 'SessionsByOrganization1765200180000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex(
      'sessions',
      new TableIndex({
        name: 'IDX_sessions_organization',
        columnNames: ['organizationId', 'revokedAt'],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.driver.options.type === 'mysql') {
      // InnoDB dropped the index it had made for FK_sessions_organization when this one, which
      // serves the key too, appeared: give the key its own again before dropping this one.
      await queryRunner.query(
        'CREATE INDEX `FK_sessions_organization` ON `sessions` (`organizationId`)',
      );
    }
    await queryRunner.dropIndex('sessions', 'IDX_sessions_organization');
  }
}
