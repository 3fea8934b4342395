import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { ConfigError, loadConfig } from '../config';
import { buildDataSourceOptions, DatabaseService, sqlEngineFor } from '../database';
import { RetentionService } from '../retention';

/** `npm run purge`: one purge now, against DATABASE_URL (an instance's lock is respected). */
async function main(): Promise<void> {
  const config = loadConfig(process.env);
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

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
