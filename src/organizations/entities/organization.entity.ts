import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { timestampColumn } from '../../database';

@Entity({ name: 'organizations' })
@Index('UQ_organizations_external_id', ['externalId'], { unique: true })
export class OrganizationEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: number;

  @Column({ type: 'varchar', length: 250 })
  name!: string;

  /** The operator's own key (a CRM id), unique; null when it gave none. */
  @Column({
    type: 'varchar',
    length: 64,
    nullable: true,
    charset: 'utf8mb4',
    collation: 'utf8mb4_bin',
  })
  externalId!: string | null;

  /** Sessions open only for a bearer that showed a second factor (DESIGN 15). */
  @Column({ type: 'boolean', default: false })
  requireMfa!: boolean;

  /** Bumped by every change: the ETag. */
  @Column({ type: 'int', default: 1 })
  version!: number;

  @Column(timestampColumn())
  createdAt!: Date;

  @Column(timestampColumn())
  updatedAt!: Date;

  /** Archived by the operator: no session opens, its invitations are gone (DESIGN 13). */
  @Column(timestampColumn({ nullable: true }))
  archivedAt!: Date | null;
}
