import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { timestampColumn } from '../../database';

@Entity({ name: 'users' })
@Index('UQ_users_subject', ['subject'], { unique: true })
@Index('IDX_users_email_key', ['emailKey'])
export class UserEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: number;

  /** The identity provider's `sub`. */
  @Column({ type: 'varchar', length: 255 })
  subject!: string;

  /** The last email the identity provider vouched for: shown, never an identity. */
  @Column({ type: 'varchar', length: 320, nullable: true })
  email!: string | null;

  /** The email's normalized key (common/validation/email-key.ts), compared byte for byte. */
  @Column({ type: 'varchar', length: 320, nullable: true })
  emailKey!: string | null;

  @Column(timestampColumn())
  createdAt!: Date;

  @Column(timestampColumn())
  updatedAt!: Date;

  @Column(timestampColumn({ nullable: true }))
  deletedAt!: Date | null;
}
