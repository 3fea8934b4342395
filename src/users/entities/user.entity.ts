import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { timestampColumn } from '../../database';

/** Identities compare byte for byte on MySQL: "Alice" is not "alice" (SQLite: always). */
const BYTE_FOR_BYTE = { charset: 'utf8mb4', collation: 'utf8mb4_bin' } as const;

@Entity({ name: 'users' })
@Index('UQ_users_issuer_subject', ['issuer', 'subject'], { unique: true })
@Index('IDX_users_email_key', ['emailKey'])
export class UserEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: number;

  /** The token's `iss` (the default issuer for tokens without one): with `subject`, the identity. */
  @Column({ type: 'varchar', length: 255, ...BYTE_FOR_BYTE })
  issuer!: string;

  /** The identity provider's `sub`, unique within its issuer. */
  @Column({ type: 'varchar', length: 255, ...BYTE_FOR_BYTE })
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
