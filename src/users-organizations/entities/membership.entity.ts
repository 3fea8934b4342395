import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { idColumn, timestampColumn } from '../../database';
import { OrganizationGroupEntity, ProfessionEntity } from '../../catalogues';
import { UserEntity } from '../../users';

export enum Scope {
  Administrator = 1,
  Member = 2,
}

/** A user in an organization, with its role, profile and group permissions. */
@Entity({ name: 'memberships' })
@Index('UQ_memberships_user_organization', ['userId', 'organizationId'], { unique: true })
@Index('IDX_memberships_organization_scope', ['organizationId', 'scope', 'deletedAt'])
@Index('IDX_memberships_organization_active', ['organizationId', 'deletedAt', 'id'])
@Index('IDX_memberships_organization_id', ['organizationId', 'id'])
@Index('IDX_memberships_profession', ['professionId'])
@Index('IDX_memberships_group', ['permissionGroupId'])
export class MembershipEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: number;

  @Column(idColumn())
  userId!: number;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'userId', foreignKeyConstraintName: 'FK_memberships_user' })
  user?: UserEntity;

  @Column(idColumn())
  organizationId!: number;

  // By name: the organizations module builds on this one (its lifecycle audits and signs out).
  @ManyToOne('OrganizationEntity', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organizationId', foreignKeyConstraintName: 'FK_memberships_organization' })
  organization?: object;

  @Column({ type: 'smallint' })
  scope!: Scope;

  @Column({ type: 'varchar', length: 250 })
  firstName!: string;

  @Column({ type: 'varchar', length: 250 })
  lastName!: string;

  @Column(idColumn({ nullable: true }))
  professionId!: number | null;

  @ManyToOne(() => ProfessionEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'professionId', foreignKeyConstraintName: 'FK_memberships_profession' })
  profession?: ProfessionEntity;

  /** The member's own group. */
  @Column(idColumn({ nullable: true }))
  permissionGroupId!: number | null;

  @ManyToOne(() => OrganizationGroupEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'permissionGroupId', foreignKeyConstraintName: 'FK_memberships_group' })
  permissionGroup?: OrganizationGroupEntity;

  /** Sorted unique group ids, as JSON text (MariaDB's JSON is LONGTEXT anyway). */
  @Column({ type: 'simple-json' })
  readGroupIds!: number[];

  @Column({ type: 'simple-json' })
  manageGroupIds!: number[];

  /** Bumped by every real change; the ETag and the conditional update rely on it. */
  @Column({ type: 'int', default: 1 })
  version!: number;

  @Column(timestampColumn())
  createdAt!: Date;

  @Column(timestampColumn())
  updatedAt!: Date;

  @Column(timestampColumn({ nullable: true }))
  deletedAt!: Date | null;
}
