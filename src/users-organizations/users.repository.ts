import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { toDatabaseTimestamp } from '../database/columns';
import { SqlExecutor } from '../database/database.service';

export interface UserRecord {
  id: number;
  subject: string;
  email: string | null;
}

/** The subject of a user added by email who has not signed in yet. */
export const invitedSubject = (): string => `invited:${randomUUID()}`;

@Injectable()
export class UsersRepository {
  async findActiveById(executor: SqlExecutor, id: number): Promise<UserRecord | null> {
    return this.findOne(executor, '`id` = ?', id);
  }

  async findActiveByEmail(executor: SqlExecutor, email: string): Promise<UserRecord | null> {
    return this.findOne(executor, '`email` = ?', email);
  }

  /** Inserts a user and reads it back by its unique subject (portable: no insert-id API). */
  async insert(
    executor: SqlExecutor,
    user: { subject: string; email: string; createdAt: Date },
  ): Promise<UserRecord> {
    const stamp = toDatabaseTimestamp(user.createdAt);
    await executor.execute(
      'INSERT INTO `users` (`subject`, `email`, `createdAt`, `updatedAt`) VALUES (?, ?, ?, ?)',
      [user.subject, user.email, stamp, stamp],
    );
    return (await this.findOne(executor, '`subject` = ?', user.subject)) as UserRecord;
  }

  private async findOne(
    executor: SqlExecutor,
    condition: string,
    value: string | number,
  ): Promise<UserRecord | null> {
    const rows = await executor.query<{
      id: number | string;
      subject: string;
      email: string | null;
    }>(
      `SELECT \`id\`, \`subject\`, \`email\` FROM \`users\` WHERE ${condition} AND \`deletedAt\` IS NULL`,
      [value],
    );
    return rows.length === 0
      ? null
      : { id: Number(rows[0].id), subject: rows[0].subject, email: rows[0].email };
  }
}
