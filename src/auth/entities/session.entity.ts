import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { idColumn, timestampColumn } from '../../database';
import { UserEntity } from '../../users';

/** An opened session: the organization a user acts in, until it expires or is revoked. */
@Entity({ name: 'sessions' })
@Index('IDX_sessions_user_organization', ['userId', 'organizationId'])
@Index('IDX_sessions_expires_at', ['expiresAt'])
@Index('IDX_sessions_revoked_at', ['revokedAt'])
@Index('IDX_sessions_organization', ['organizationId', 'revokedAt'])
export class SessionEntity {
  /** 256 random bits, base64url (43 characters). */
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id!: string;

  @Column(idColumn())
  userId!: number;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'userId', foreignKeyConstraintName: 'FK_sessions_user' })
  user?: UserEntity;

  @Column(idColumn())
  organizationId!: number;

  // By name: the organizations module builds on this one (its lifecycle audits and signs out).
  @ManyToOne('OrganizationEntity', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organizationId', foreignKeyConstraintName: 'FK_sessions_organization' })
  organization?: object;

  /** Opened with a second factor (DESIGN 15). */
  @Column({ type: 'boolean', default: false })
  mfa!: boolean;

  @Column(timestampColumn())
  createdAt!: Date;

  @Column(timestampColumn())
  expiresAt!: Date;

  @Column(timestampColumn({ nullable: true }))
  revokedAt!: Date | null;
}
