import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { AuditEventEntity } from '../../audit';
import { idColumn, timestampColumn } from '../../database';
import { WebhookEndpointEntity } from './webhook-endpoint.entity';

/** One event to one endpoint: pending until it succeeds or its retries run out. */
@Entity({ name: 'webhook_deliveries' })
@Index('IDX_webhook_deliveries_queue', ['status', 'endpointId', 'id'])
@Index('IDX_webhook_deliveries_endpoint', ['endpointId', 'id'])
@Index('IDX_webhook_deliveries_event', ['auditEventId'])
export class WebhookDeliveryEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: number;

  @Column(idColumn())
  endpointId!: number;

  @ManyToOne(() => WebhookEndpointEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'endpointId', foreignKeyConstraintName: 'FK_webhook_deliveries_endpoint' })
  endpoint?: WebhookEndpointEntity;

  @Column(idColumn())
  auditEventId!: number;

  @ManyToOne(() => AuditEventEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'auditEventId', foreignKeyConstraintName: 'FK_webhook_deliveries_event' })
  auditEvent?: AuditEventEntity;

  /** `pending`, `succeeded` or `failed`. */
  @Column({ type: 'varchar', length: 16 })
  status!: string;

  /** Attempts since it was (re)queued: its place in the retry schedule. */
  @Column({ type: 'int' })
  attempts!: number;

  @Column(timestampColumn())
  nextAttemptAt!: Date;

  @Column(timestampColumn({ nullable: true }))
  lastAttemptAt!: Date | null;

  @Column(timestampColumn())
  createdAt!: Date;

  @Column(timestampColumn())
  updatedAt!: Date;
}
