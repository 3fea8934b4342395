import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { idColumn, timestampColumn } from '../../database';

/** Where an organization's events are POSTed, signed with its secret (DESIGN 11). */
@Entity({ name: 'webhook_endpoints' })
@Index('IDX_webhook_endpoints_organization', ['organizationId', 'id'])
export class WebhookEndpointEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: number;

  @Column(idColumn())
  organizationId!: number;

  // By name: the organizations module builds on this one (its lifecycle audits and signs out).
  @ManyToOne('OrganizationEntity', { onDelete: 'CASCADE' })
  @JoinColumn({
    name: 'organizationId',
    foreignKeyConstraintName: 'FK_webhook_endpoints_organization',
  })
  organization?: object;

  @Column({ type: 'varchar', length: 2048 })
  url!: string;

  /** JSON array of event types, or `["*"]`. */
  @Column({ type: 'varchar', length: 1000 })
  events!: string;

  @Column({ type: 'varchar', length: 500, nullable: true })
  description!: string | null;

  /** `whsec_` + base64 of 32 random bytes: the HMAC key, so it is kept as it is. */
  @Column({ type: 'varchar', length: 100 })
  secret!: string;

  /** The secret before the last rotation: it also signs until previousSecretExpiresAt. */
  @Column({ type: 'varchar', length: 100, nullable: true })
  previousSecret!: string | null;

  @Column(timestampColumn({ nullable: true }))
  previousSecretExpiresAt!: Date | null;

  @Column({ type: 'boolean' })
  enabled!: boolean;

  @Column(timestampColumn({ nullable: true }))
  failingSince!: Date | null;

  @Column(timestampColumn({ nullable: true }))
  disabledAt!: Date | null;

  @Column(timestampColumn())
  createdAt!: Date;

  @Column(timestampColumn())
  updatedAt!: Date;
}
