import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { idColumn } from '../../database';

/** A team inside one organization; permission ids point here. */
@Entity({ name: 'organization_groups' })
@Index('IDX_organization_groups_organization', ['organizationId', 'id'])
@Index('UQ_organization_groups_name', ['organizationId', 'name'], { unique: true })
export class OrganizationGroupEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: number;

  @Column(idColumn())
  organizationId!: number;

  // By name: the organizations module builds on this one (its lifecycle audits and signs out).
  @ManyToOne('OrganizationEntity', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organizationId', foreignKeyConstraintName: 'FK_organization_groups_org' })
  organization?: object;

  @Column({ type: 'varchar', length: 250 })
  name!: string;
}
