import { MigrationInterface, QueryRunner, TableColumn, TableIndex } from 'typeorm';
import { emailKey } from '../../common/validation/email-key';

const BATCH = 1000;

/**
 * Users come from verified sign-ins only (DESIGN 4, 5): the email is the last one the identity
 * provider vouched for, informational and no longer unique; its normalized key (binary
 * collation) is indexed so that an invitation can tell whether the address is already a member.
 */
export class UsersFromSignIns1764547200000 implements MigrationInterface {
  name = 'UsersFromSignIns1764547200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const mysql = queryRunner.connection.driver.options.type === 'mysql';
    await queryRunner.dropIndex('users', 'UQ_users_email');
    await queryRunner.addColumn(
      'users',
      new TableColumn({
        name: 'emailKey',
        type: 'varchar',
        length: '320',
        isNullable: true,
        ...(mysql ? { charset: 'utf8mb4', collation: 'utf8mb4_bin' } : {}),
      }),
    );
    // The key is worked out in JavaScript (NFC, IDNA): SQL has no portable equivalent.
    for (let afterId = 0; ;) {
      const rows = (await queryRunner.query(
        'SELECT `id`, `email` FROM `users` WHERE `id` > ? AND `email` IS NOT NULL ORDER BY `id` LIMIT ?',
        [afterId, BATCH],
      )) as { id: number | string; email: string }[];
      for (const row of rows) {
        await queryRunner.query('UPDATE `users` SET `emailKey` = ? WHERE `id` = ?', [
          emailKey(row.email),
          row.id,
        ]);
      }
      if (rows.length < BATCH) break;
      afterId = Number(rows[rows.length - 1].id);
    }
    await queryRunner.createIndex(
      'users',
      new TableIndex({ name: 'IDX_users_email_key', columnNames: ['emailKey'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('users', 'IDX_users_email_key');
    await queryRunner.dropColumn('users', 'emailKey');
    // Fails, as it should, when two users share an email by now.
    await queryRunner.createIndex(
      'users',
      new TableIndex({ name: 'UQ_users_email', columnNames: ['email'], isUnique: true }),
    );
  }
}
