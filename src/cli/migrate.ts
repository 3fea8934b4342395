import 'reflect-metadata';
import { DataSource, MigrationExecutor } from 'typeorm';
import type { AppConfig } from '../config';
import { buildDataSourceOptions, describeDatabase } from '../database';
import { runCommand } from './command';

/**
 * `npm run migration:run` and `npm run migration:revert`: the TypeORM CLI would print every
 * statement it sends (about 185 lines for the full schema) and a stack trace for a database
 * that does not exist; this says in one line what changed, or what to do.
 */
async function main(config: AppConfig): Promise<void> {
  const command = process.argv[2];
  if (command !== 'run' && command !== 'revert') {
    throw new Error('Usage: node dist/cli/migrate.js run|revert');
  }
  const target = describeDatabase(config.database);
  const dataSource = new DataSource({ ...buildDataSourceOptions(config.database), logging: false });
  await dataSource.initialize();
  try {
    if (command === 'run') {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      console.log(
        applied.length === 0
          ? `No pending migration: the ${target} is up to date.`
          : `Applied ${applied.length} migration${applied.length === 1 ? '' : 's'} to the ` +
              `${target}, the last ${applied[applied.length - 1].name}.`,
      );
      return;
    }
    const executor = new MigrationExecutor(dataSource);
    const executed = await executor.getExecutedMigrations();
    if (executed.length === 0) {
      console.log(`No migration to revert: none is applied to the ${target}.`);
      return;
    }
    // Newest first: TypeORM reverts the one that ran last.
    const [latest] = executed;
    await dataSource.undoLastMigration({ transaction: 'each' });
    console.log(
      `Reverted ${latest.name} on the ${target}; ${executed.length - 1} migration` +
        `${executed.length - 1 === 1 ? '' : 's'} still applied.`,
    );
  } finally {
    await dataSource.destroy();
  }
}

runCommand(main);
