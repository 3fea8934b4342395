import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { AuditEventEntity } from '../../audit';
import { idColumn } from '../../database';

/** Events waiting to be published to NATS, in order; a row goes once JetStream acknowledged. */
@Entity({ name: 'event_broker_queue' })
@Index('IDX_event_broker_queue_event', ['auditEventId'])
export class BrokerQueueEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: number;

  @Column(idColumn())
  auditEventId!: number;

  @ManyToOne(() => AuditEventEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'auditEventId', foreignKeyConstraintName: 'FK_event_broker_queue_event' })
  auditEvent?: AuditEventEntity;
}
