import { Injectable } from '@nestjs/common';
import { emailKey } from '../common/validation/email-key';
import { toDatabaseTimestamp, isUniqueViolation, DatabaseService, SqlExecutor } from '../database';

export interface UserRecord {
  id: number;
  issuer: string;
  subject: string;
  email: string | null;
}

interface UserRow {
  id: number | string;
  issuer: string;
  subject: string;
  email: string | null;
  deletedAt: Date | string | null;
}

const SELECT_USER = 'SELECT `id`, `issuer`, `subject`, `email`, `deletedAt` FROM `users` WHERE ';

const toUser = (row: UserRow): UserRecord => ({
  id: Number(row.id),
  issuer: row.issuer,
  subject: row.subject,
  email: row.email,
});

/**
 * Users exist only because an identity provider vouched for them (DESIGN 4, 5): a row is
 * created at the first verified sign-in of its (issuer, subject), never by an administrator.
 */
@Injectable()
export class UsersRepository {
  constructor(private readonly database: DatabaseService) {}

  async findActiveById(executor: SqlExecutor, id: number): Promise<UserRecord | null> {
    const rows = await executor.query<UserRow>(`${SELECT_USER}\`id\` = ?`, [id]);
    return rows.length === 0 || rows[0].deletedAt !== null ? null : toUser(rows[0]);
  }

  async findActive(issuer: string, subject: string): Promise<UserRecord | null> {
    const row = await this.findByIdentity(issuer, subject);
    return row === null || row.deletedAt !== null ? null : toUser(row);
  }

  /**
   * The user of a verified access token, created at its identity's first sign-in; null for a
   * deleted user (who stays signed out: its identity is not given a new row). Concurrent first
   * sign-ins, on any number of instances, make one row: the unique (issuer, subject) decides, and the
   * losers read the winner's row. `verifiedEmail` (when the token vouches for one) is kept as the
   * user's current address, for display and for invitations' "already a member" check.
   */
  async signIn(
    issuer: string,
    subject: string,
    verifiedEmail: string | null,
  ): Promise<UserRecord | null> {
    const known = await this.findByIdentity(issuer, subject);
    if (known !== null) {
      if (known.deletedAt !== null) return null;
      const user = toUser(known);
      if (verifiedEmail !== null && verifiedEmail !== user.email) {
        await this.database.execute(
          'UPDATE `users` SET `email` = ?, `emailKey` = ?, `updatedAt` = ? WHERE `id` = ?',
          [verifiedEmail, emailKey(verifiedEmail), toDatabaseTimestamp(new Date()), user.id],
        );
        return { ...user, email: verifiedEmail };
      }
      return user;
    }
    const now = toDatabaseTimestamp(new Date());
    try {
      await this.database.execute(
        'INSERT INTO `users` (`issuer`, `subject`, `email`, `emailKey`, `createdAt`, `updatedAt`) ' +
          'VALUES (?, ?, ?, ?, ?, ?)',
        [
          issuer,
          subject,
          verifiedEmail,
          verifiedEmail === null ? null : emailKey(verifiedEmail),
          now,
          now,
        ],
      );
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
    const created = await this.findByIdentity(issuer, subject);
    return created === null || created.deletedAt !== null ? null : toUser(created);
  }

  private async findByIdentity(issuer: string, subject: string): Promise<UserRow | null> {
    const rows = await this.database.query<UserRow>(
      `${SELECT_USER}\`issuer\` = ? AND \`subject\` = ?`,
      [issuer, subject],
    );
    return rows[0] ?? null;
  }
}
