import 'reflect-metadata';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config';
import { buildDataSourceOptions, DatabaseService, sqlEngineFor } from '../database';
import { RetentionService } from '../retention';
import { runCommand } from './command';

/** `npm run purge`: one purge now, against DATABASE_URL (an instance's lock is respected). */
async function main(config: AppConfig): Promise<void> {
  const dataSource = new DataSource(buildDataSourceOptions(config.database));
  await dataSource.initialize();
  try {
    const result = await new RetentionService(
      new DatabaseService(sqlEngineFor(dataSource, config), dataSource),
      config,
    ).purge();
    console.log(
      result.ran
        ? `Purged: ${Object.entries(result.deleted)
            .map(([name, count]) => `${count} ${name}`)
            .join(', ')}.`
        : 'Another instance is purging: nothing was done.',
    );
  } finally {
    await dataSource.destroy();
  }
}

runCommand(main);
