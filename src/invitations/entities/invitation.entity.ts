import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { idColumn, timestampColumn } from '../../database';
import { OrganizationGroupEntity, ProfessionEntity } from '../../catalogues';
import { UserEntity } from '../../users';

/** An invitation into an organization, and the membership accepting it creates (DESIGN 8b). */
@Entity({ name: 'invitations' })
@Index('UQ_invitations_pending_email', ['pendingEmailKey', 'organizationId'], { unique: true })
@Index('UQ_invitations_token_hash', ['tokenHash'], { unique: true })
@Index('IDX_invitations_organization', ['organizationId', 'id'])
@Index('IDX_invitations_expires', ['expiresAt'])
@Index('IDX_invitations_email_key', ['emailKey'])
export class InvitationEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: number;

  @Column(idColumn())
  organizationId!: number;

  // By name: the organizations module builds on this one (its lifecycle audits and signs out).
  @ManyToOne('OrganizationEntity', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organizationId', foreignKeyConstraintName: 'FK_invitations_organization' })
  organization?: object;

  /** As the administrator typed it. */
  @Column({ type: 'varchar', length: 320 })
  email!: string;

  @Column({ type: 'varchar', length: 320 })
  emailKey!: string;

  /** The email key while the invitation is open (not accepted, not revoked), else NULL. */
  @Column({ type: 'varchar', length: 320, nullable: true })
  pendingEmailKey!: string | null;

  @Column({ type: 'smallint' })
  scope!: number;

  @Column({ type: 'varchar', length: 250 })
  firstName!: string;

  @Column({ type: 'varchar', length: 250 })
  lastName!: string;

  @Column(idColumn({ nullable: true }))
  professionId!: number | null;

  @ManyToOne(() => ProfessionEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'professionId', foreignKeyConstraintName: 'FK_invitations_profession' })
  profession?: ProfessionEntity;

  @Column(idColumn({ nullable: true }))
  permissionGroupId!: number | null;

  @ManyToOne(() => OrganizationGroupEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'permissionGroupId', foreignKeyConstraintName: 'FK_invitations_group' })
  permissionGroup?: OrganizationGroupEntity;

  @Column({ type: 'simple-json' })
  readGroupIds!: number[];

  @Column({ type: 'simple-json' })
  manageGroupIds!: number[];

  @Column(idColumn({ nullable: true }))
  invitedByUserId!: number | null;

  @ManyToOne(() => UserEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'invitedByUserId', foreignKeyConstraintName: 'FK_invitations_invited_by' })
  invitedBy?: UserEntity;

  /** SHA-256 of the token's secret, hex; the token itself is never stored. */
  @Column({ type: 'varchar', length: 64 })
  tokenHash!: string;

  @Column(timestampColumn())
  expiresAt!: Date;

  @Column(timestampColumn({ nullable: true }))
  acceptedAt!: Date | null;

  @Column(idColumn({ nullable: true }))
  acceptedByUserId!: number | null;

  @ManyToOne(() => UserEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'acceptedByUserId', foreignKeyConstraintName: 'FK_invitations_accepted_by' })
  acceptedBy?: UserEntity;

  @Column(timestampColumn({ nullable: true }))
  revokedAt!: Date | null;

  @Column(timestampColumn())
  createdAt!: Date;

  @Column(timestampColumn())
  updatedAt!: Date;
}
