import { MigrationInterface, QueryRunner, TableColumn, TableIndex } from 'typeorm';

/**
 * A user is its token's (issuer, subject), since a `sub` is unique only within its issuer
 * (DESIGN 4, 5). Existing users get the default issuer configured when this runs (AUTH_JWT_ISSUER,
 * or '' where it is unset): the provider that made them. On MySQL the issuer compares byte for
 * byte, as the subject always did.
 *
 * A factory, since the issuer comes from the configuration: the class keeps its name.
 */
export function usersKeyedByIssuer(defaultIssuer: string) {
  return class UsersKeyedByIssuer1765200000000 implements MigrationInterface {
    name = 'UsersKeyedByIssuer1765200000000';

    async up(queryRunner: QueryRunner): Promise<void> {
      const binary = collation(queryRunner, 'utf8mb4_bin');
      await queryRunner.addColumn(
        'users',
        new TableColumn({
          name: 'issuer',
          type: 'varchar',
          length: '255',
          isNullable: true,
          ...binary,
        }),
      );
      await queryRunner.query('UPDATE `users` SET `issuer` = ?', [defaultIssuer]);
      if (isMysql(queryRunner)) {
        // MODIFY, not TypeORM's changeColumn: that one would carry the null default over as 'NULL'.
        await queryRunner.query(
          'ALTER TABLE `users` MODIFY `issuer` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL',
        );
      } else {
        await setColumns(queryRunner, { issuer: { isNullable: false } });
      }
      await queryRunner.dropIndex('users', 'UQ_users_subject');
      await queryRunner.createIndex(
        'users',
        new TableIndex({
          name: 'UQ_users_issuer_subject',
          columnNames: ['issuer', 'subject'],
          isUnique: true,
        }),
      );
    }

    async down(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.dropIndex('users', 'UQ_users_issuer_subject');
      // Fails, as it should, when two issuers' users share a subject by now.
      await queryRunner.createIndex(
        'users',
        new TableIndex({ name: 'UQ_users_subject', columnNames: ['subject'], isUnique: true }),
      );
      await queryRunner.dropColumn('users', 'issuer');
    }
  };
}

const isMysql = (queryRunner: QueryRunner) =>
  queryRunner.connection.driver.options.type === 'mysql';

function collation(queryRunner: QueryRunner, name: string): Partial<TableColumn> {
  return isMysql(queryRunner) ? { charset: 'utf8mb4', collation: name } : {};
}

async function setColumns(
  queryRunner: QueryRunner,
  changes: Record<string, Partial<TableColumn>>,
): Promise<void> {
  const table = await queryRunner.getTable('users');
  if (table === undefined) throw new Error('users has no table');
  for (const [name, change] of Object.entries(changes)) {
    const column = table.findColumnByName(name);
    if (column === undefined) throw new Error(`users has no ${name} column`);
    const changed = column.clone();
    Object.assign(changed, change);
    await queryRunner.changeColumn(table, column, changed);
  }
}
