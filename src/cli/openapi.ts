import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { loadConfig } from '../config';
import { createApp } from '../create-app';
import { buildOpenApiDocument } from '../common/swagger/swagger';

/**
 * `npm run openapi -- [file]`: the OpenAPI document exactly as the app serves it, written to the
 * file (or stdout) without a server or a database of anyone's: the app runs on an in-memory
 * SQLite database that disappears with the process.
 */
async function main(): Promise<void> {
  const config = loadConfig({ DATABASE_URL: 'sqlite::memory:', LOG_LEVEL: 'silent' });
  const app = await createApp(config, { logger: false });
  try {
    await app.init();
    const json = `${JSON.stringify(buildOpenApiDocument(app), null, 2)}\n`;
    const file = process.argv[2];
    if (file === undefined) process.stdout.write(json);
    else writeFileSync(file, json);
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
