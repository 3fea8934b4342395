import { MigrationInterface, QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';

/**
 * The audit trail becomes the events' outbox (DESIGN 11): each row gets its event id (UUID v7),
 * the view the event sends, and `relayedAt`, NULL until the relay has handed the event to its
 * sinks. The relay finds its work along (relayedAt, id): NULLs first, so pending rows are a
 * short range of that index however long the trail grows. A marker per row, not a cursor over
 * ids: a transaction holding id 9 can commit after the one holding id 10.
 *
 * Rows already there are history, not news: they are marked relayed, and keep no event id.
 * Also the relay's lease (one instance delivers at a time) and the NATS publishing queue.
 */
export class AuditEventsAsOutbox1765000000000 implements MigrationInterface {
  name = 'AuditEventsAsOutbox1765000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const mysql = queryRunner.connection.driver.options.type === 'mysql';
    const binary = mysql ? { charset: 'utf8mb4', collation: 'utf8mb4_bin' } : {};
    const precision = mysql ? { precision: 3 } : {};
    await queryRunner.addColumns('audit_events', [
      new TableColumn({
        name: 'eventId',
        type: 'varchar',
        length: '36',
        isNullable: true,
        ...binary,
      }),
      new TableColumn({ name: 'data', type: 'text', isNullable: true, ...binary }),
      new TableColumn({ name: 'relayedAt', type: 'datetime', isNullable: true, ...precision }),
    ]);
    await queryRunner.query('UPDATE `audit_events` SET `relayedAt` = `createdAt`');
    await queryRunner.createIndices('audit_events', [
      new TableIndex({ name: 'UQ_audit_events_event', columnNames: ['eventId'], isUnique: true }),
      new TableIndex({ name: 'IDX_audit_events_relay', columnNames: ['relayedAt', 'id'] }),
    ]);

    await queryRunner.createTable(
      new Table({
        name: 'event_relay_leases',
        engine: mysql ? 'InnoDB' : undefined,
        columns: [
          { name: 'name', type: 'varchar', length: '40', isPrimary: true, ...binary },
          { name: 'holder', type: 'varchar', length: '128', ...binary },
          { name: 'expiresAt', type: 'datetime', ...precision },
        ],
      }),
    );
    await queryRunner.query(
      "INSERT INTO `event_relay_leases` (`name`, `holder`, `expiresAt`) VALUES ('relay', '', '1970-01-01 00:00:00.000')",
    );

    await queryRunner.createTable(
      new Table({
        name: 'event_broker_queue',
        engine: mysql ? 'InnoDB' : undefined,
        columns: [
          {
            name: 'id',
            type: mysql ? 'bigint' : 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          { name: 'auditEventId', type: 'bigint' },
        ],
        indices: [{ name: 'IDX_event_broker_queue_event', columnNames: ['auditEventId'] }],
        foreignKeys: [
          {
            name: 'FK_event_broker_queue_event',
            columnNames: ['auditEventId'],
            referencedTableName: 'audit_events',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
            onUpdate: 'NO ACTION',
          },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('event_broker_queue');
    await queryRunner.dropTable('event_relay_leases');
    await queryRunner.dropIndex('audit_events', 'IDX_audit_events_relay');
    await queryRunner.dropIndex('audit_events', 'UQ_audit_events_event');
    await queryRunner.dropColumns('audit_events', ['relayedAt', 'data', 'eventId']);
  }
}
