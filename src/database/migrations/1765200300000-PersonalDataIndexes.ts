import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

/**
 * A person's rows found by index (DESIGN 15): the export and the erasure read the audit trail
 * by actor, by target and by invitation across organizations, and the invitations addressed to
 * an email key; an erasure locks exactly those rows, never a scan of a table the API writes.
 */
export class PersonalDataIndexes1765200300000 implements MigrationInterface {
  name = 'PersonalDataIndexes1765200300000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex(
      'audit_events',
      new TableIndex({ name: 'IDX_audit_events_actor', columnNames: ['actorUserId', 'id'] }),
    );
    await queryRunner.createIndex(
      'audit_events',
      new TableIndex({ name: 'IDX_audit_events_about', columnNames: ['targetUserId', 'id'] }),
    );
    await queryRunner.createIndex(
      'audit_events',
      new TableIndex({ name: 'IDX_audit_events_invitation', columnNames: ['invitationId', 'id'] }),
    );
    await queryRunner.createIndex(
      'invitations',
      new TableIndex({ name: 'IDX_invitations_email_key', columnNames: ['emailKey'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('invitations', 'IDX_invitations_email_key');
    await queryRunner.dropIndex('audit_events', 'IDX_audit_events_invitation');
    await queryRunner.dropIndex('audit_events', 'IDX_audit_events_about');
    await queryRunner.dropIndex('audit_events', 'IDX_audit_events_actor');
  }
}
