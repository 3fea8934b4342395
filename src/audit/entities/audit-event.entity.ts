import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { idColumn, NOT_YET, timestampColumn } from '../../database';

/** One membership or session change: who, what, before and after, in which request. */
@Entity({ name: 'audit_events' })
@Index('IDX_audit_events_organization', ['organizationId', 'id'])
@Index('IDX_audit_events_target', ['organizationId', 'targetUserId', 'id'])
@Index('IDX_audit_events_action', ['organizationId', 'action', 'id'])
@Index('IDX_audit_events_created_at', ['createdAt'])
@Index('UQ_audit_events_event', ['eventId'], { unique: true })
@Index('IDX_audit_events_relay', ['relayedAt', 'id'])
@Index('IDX_audit_events_actor', ['actorUserId', 'id'])
@Index('IDX_audit_events_about', ['targetUserId', 'id'])
@Index('IDX_audit_events_invitation', ['invitationId', 'id'])
export class AuditEventEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: number;

  @Column(idColumn())
  organizationId!: number;

  // By name: the organizations module builds on this one (its lifecycle audits and signs out).
  @ManyToOne('OrganizationEntity', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organizationId', foreignKeyConstraintName: 'FK_audit_events_organization' })
  organization?: object;

  @Column(idColumn({ nullable: true }))
  actorUserId!: number | null;

  /** The service client that made the change (DESIGN 13); then actorUserId is null. */
  @Column({ type: 'varchar', length: 255, nullable: true })
  actorClientId!: string | null;

  @Column(idColumn({ nullable: true }))
  targetUserId!: number | null;

  @Column({ type: 'varchar', length: 40 })
  action!: string;

  /** `{ field: { before, after } }` as JSON text. */
  @Column({ type: 'simple-json' })
  changes!: Record<string, { before: unknown; after: unknown }>;

  /** The invitation an `invitation.*` event is about. */
  @Column(idColumn({ nullable: true }))
  invitationId!: number | null;

  @Column({ type: 'varchar', length: 128, nullable: true })
  requestId!: string | null;

  @Column(timestampColumn())
  createdAt!: Date;

  /** The event's UUID v7 (DESIGN 11); NULL only on rows written before events existed. */
  @Column({ type: 'varchar', length: 36, nullable: true })
  eventId!: string | null;

  /** The view after the change, as JSON text: what the event's `data` holds besides `changes`. */
  @Column({ type: 'text', nullable: true })
  data!: string | null;

  /** When the relay handed the event to its sinks (webhook deliveries, NATS); NOT_YET until then. */
  @Column(timestampColumn({ default: NOT_YET }))
  relayedAt!: Date;
}
