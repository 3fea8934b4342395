import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/**
 * Whether a session was opened with a second factor (DESIGN 15): requiring one in an
 * organization revokes the sessions opened without.
 */
export class SessionsSecondFactor1765200240000 implements MigrationInterface {
  name = 'SessionsSecondFactor1765200240000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'sessions',
      new TableColumn({ name: 'mfa', type: 'boolean', default: 0 }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('sessions', 'mfa');
  }
}
