import { MigrationInterface, QueryRunner, Table, TableColumnOptions } from 'typeorm';

/**
 * Webhook endpoints of an organization, the deliveries the relay fans events out to (one per
 * event and matching endpoint), and every attempt at one (DESIGN 11).
 *
 * IDX_webhook_deliveries_queue (status, endpointId, id) gives each endpoint's oldest pending
 * delivery (its queue head: order is kept per endpoint) without reading the backlog behind it.
 */
export class CreateWebhooks1765000060000 implements MigrationInterface {
  name = 'CreateWebhooks1765000060000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const mysql = queryRunner.connection.driver.options.type === 'mysql';
    const id: TableColumnOptions = {
      name: 'id',
      type: mysql ? 'bigint' : 'integer',
      isPrimary: true,
      isGenerated: true,
      generationStrategy: 'increment',
    };
    const text = (name: string, length: number, isNullable = false): TableColumnOptions => ({
      name,
      type: 'varchar',
      length: String(length),
      isNullable,
      ...(mysql ? { charset: 'utf8mb4', collation: 'utf8mb4_bin' } : {}),
    });
    const timestamp = (name: string, isNullable = false): TableColumnOptions => ({
      name,
      type: 'datetime',
      isNullable,
      ...(mysql ? { precision: 3 } : {}),
    });
    // SQLite: INTEGER, the name TypeORM gives an `int` column there.
    const integer = mysql ? 'int' : 'integer';
    const cascade = (name: string, column: string, table: string) => ({
      name,
      columnNames: [column],
      referencedTableName: table,
      referencedColumnNames: ['id'],
      onDelete: 'CASCADE',
      // As the entities say it; left unsaid, MySQL records RESTRICT (the same behaviour).
      onUpdate: 'NO ACTION',
    });

    await queryRunner.createTable(
      new Table({
        name: 'webhook_endpoints',
        engine: mysql ? 'InnoDB' : undefined,
        columns: [
          id,
          { name: 'organizationId', type: 'bigint' },
          text('url', 2048),
          text('events', 1000),
          text('description', 500, true),
          text('secret', 100),
          text('previousSecret', 100, true),
          timestamp('previousSecretExpiresAt', true),
          { name: 'enabled', type: 'boolean' },
          timestamp('failingSince', true),
          timestamp('disabledAt', true),
          timestamp('createdAt'),
          timestamp('updatedAt'),
        ],
        indices: [
          { name: 'IDX_webhook_endpoints_organization', columnNames: ['organizationId', 'id'] },
        ],
        foreignKeys: [
          cascade('FK_webhook_endpoints_organization', 'organizationId', 'organizations'),
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'webhook_deliveries',
        engine: mysql ? 'InnoDB' : undefined,
        columns: [
          id,
          { name: 'endpointId', type: 'bigint' },
          { name: 'auditEventId', type: 'bigint' },
          text('status', 16),
          { name: 'attempts', type: integer },
          timestamp('nextAttemptAt'),
          timestamp('lastAttemptAt', true),
          timestamp('createdAt'),
          timestamp('updatedAt'),
        ],
        indices: [
          {
            name: 'IDX_webhook_deliveries_queue',
            columnNames: ['status', 'endpointId', 'id'],
          },
          { name: 'IDX_webhook_deliveries_endpoint', columnNames: ['endpointId', 'id'] },
          { name: 'IDX_webhook_deliveries_event', columnNames: ['auditEventId'] },
        ],
        foreignKeys: [
          cascade('FK_webhook_deliveries_endpoint', 'endpointId', 'webhook_endpoints'),
          cascade('FK_webhook_deliveries_event', 'auditEventId', 'audit_events'),
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'webhook_delivery_attempts',
        engine: mysql ? 'InnoDB' : undefined,
        columns: [
          id,
          { name: 'deliveryId', type: 'bigint' },
          timestamp('attemptedAt'),
          { name: 'durationMs', type: integer },
          { name: 'responseStatus', type: integer, isNullable: true },
          text('outcome', 16),
          text('error', 500, true),
          { name: 'responseBody', type: 'text', isNullable: true },
        ],
        indices: [
          { name: 'IDX_webhook_delivery_attempts_delivery', columnNames: ['deliveryId', 'id'] },
        ],
        foreignKeys: [
          cascade('FK_webhook_delivery_attempts_delivery', 'deliveryId', 'webhook_deliveries'),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('webhook_delivery_attempts');
    await queryRunner.dropTable('webhook_deliveries');
    await queryRunner.dropTable('webhook_endpoints');
  }
}
