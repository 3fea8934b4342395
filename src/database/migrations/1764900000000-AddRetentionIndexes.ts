import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

/**
 * The purge (src/retention) deletes by age: each batch is an index range, so it reads and locks
 * only the rows it deletes, never a scan of a table the API writes.
 */
export class AddRetentionIndexes1764900000000 implements MigrationInterface {
  name = 'AddRetentionIndexes1764900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex(
      'sessions',
      new TableIndex({ name: 'IDX_sessions_expires_at', columnNames: ['expiresAt'] }),
    );
    await queryRunner.createIndex(
      'sessions',
      new TableIndex({ name: 'IDX_sessions_revoked_at', columnNames: ['revokedAt'] }),
    );
    await queryRunner.createIndex(
      'audit_events',
      new TableIndex({ name: 'IDX_audit_events_created_at', columnNames: ['createdAt'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('audit_events', 'IDX_audit_events_created_at');
    await queryRunner.dropIndex('sessions', 'IDX_sessions_revoked_at');
    await queryRunner.dropIndex('sessions', 'IDX_sessions_expires_at');
  }
}
