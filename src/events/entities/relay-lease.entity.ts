import { Column, Entity, PrimaryColumn } from 'typeorm';
import { timestampColumn } from '../../database';

/** The relay's lease: one row, `relay`, held by one instance at a time. */
@Entity({ name: 'event_relay_leases' })
export class RelayLeaseEntity {
  @PrimaryColumn({ type: 'varchar', length: 40 })
  name!: string;

  @Column({ type: 'varchar', length: 128 })
  holder!: string;

  /** By the database's clock. */
  @Column(timestampColumn())
  expiresAt!: Date;
}
