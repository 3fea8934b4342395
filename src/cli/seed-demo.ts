import 'reflect-metadata';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config';
import { buildDataSourceOptions } from '../database';
import { DEMO_ENTITIES, seedDemoData } from '../demo';
import { runCommand } from './command';

/** `npm run seed:demo`: migrations, then the demo data into a database without organizations. */
async function main(config: AppConfig): Promise<void> {
  if (config.env === 'production') {
    throw new Error('NODE_ENV is production: the demo data is never loaded there.');
  }
  const dataSource = new DataSource(buildDataSourceOptions(config.database, DEMO_ENTITIES));
  await dataSource.initialize();
  try {
    await dataSource.runMigrations({ transaction: 'each' });
    const loaded = await seedDemoData(dataSource, config.auth.defaultIssuer);
    console.log(
      loaded
        ? 'Demo data loaded: organizations 1 and 2, users alice, bob, carol, dave, erin, and ' +
            "frank@example.com's pending invitation to organization 1."
        : 'The database already holds organizations: nothing was changed.',
    );
  } finally {
    await dataSource.destroy();
  }
}

runCommand(main);
