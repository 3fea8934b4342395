import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { idColumn, timestampColumn } from '../../database';
import { WebhookDeliveryEntity } from './webhook-delivery.entity';

/** One HTTP attempt at a delivery, as administrators read it. */
@Entity({ name: 'webhook_delivery_attempts' })
@Index('IDX_webhook_delivery_attempts_delivery', ['deliveryId', 'id'])
export class WebhookDeliveryAttemptEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: number;

  @Column(idColumn())
  deliveryId!: number;

  @ManyToOne(() => WebhookDeliveryEntity, { onDelete: 'CASCADE' })
  @JoinColumn({
    name: 'deliveryId',
    foreignKeyConstraintName: 'FK_webhook_delivery_attempts_delivery',
  })
  delivery?: WebhookDeliveryEntity;

  @Column(timestampColumn())
  attemptedAt!: Date;

  @Column({ type: 'int' })
  durationMs!: number;

  @Column({ type: 'int', nullable: true })
  responseStatus!: number | null;

  /** `succeeded` or `failed`. */
  @Column({ type: 'varchar', length: 16 })
  outcome!: string;

  @Column({ type: 'varchar', length: 500, nullable: true })
  error!: string | null;

  /** The first 4 KB of the answer. */
  @Column({ type: 'text', nullable: true })
  responseBody!: string | null;
}
