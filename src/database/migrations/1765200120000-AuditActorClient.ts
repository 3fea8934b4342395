import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/** A change a service made is audited with the client as its actor (DESIGN 13). */
export class AuditActorClient1765200120000 implements MigrationInterface {
  name = 'AuditActorClient1765200120000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'audit_events',
      new TableColumn({ name: 'actorClientId', type: 'varchar', length: '255', isNullable: true }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('audit_events', 'actorClientId');
  }
}
