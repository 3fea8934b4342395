import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { logCleanStop } from './common/logging/clean-stop';
import { printDevelopmentBanner } from './demo';
import { createApp } from './create-app';
import { SWAGGER_UI_PATH } from './common/swagger/swagger';
import { AppConfig, ConfigError, loadConfig } from './config';
import { DatabaseConnector } from './database';

async function bootstrap(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const app = await createApp(config);
  // After createApp, so that these lines are JSON like every other.
  const logger = new Logger('Bootstrap');
  logCleanStop(logger);
  for (const name of config.developmentSecrets) {
    logger.warn(`${name} is not set: using the development secret. Never do this in production.`);
  }
  const database = app.get(DatabaseConnector);
  database.onGiveUp(() => {
    // Already logged, and no wait will fix the configuration: a supervisor must see a failure.
    process.exit(1);
  });
  try {
    await app.listen(config.port);
  } catch (error) {
    const problem = listenProblem(error, config.port);
    if (problem === null) throw error;
    // One plain line, like a bad configuration: a person reads it, not a log pipeline.
    console.error(problem);
    process.exit(1);
  }
  // Nothing says "serving" before the database answered; meanwhile the connector says why not.
  await database.whenConnected();
  const base = (await app.getUrl()).replace('[::1]', 'localhost').replace('127.0.0.1', 'localhost');
  logger.log(
    `Serving on ${base} (${config.embedded ? 'embedded database' : config.database.type})`,
  );
  logger.log(`Swagger UI: ${base}/${SWAGGER_UI_PATH}`);
  await printDevelopmentBanner(app, config, base, logger);
}

/** What a person must change when the port cannot be had; null for any other error. */
function listenProblem(error: unknown, port: number): string | null {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'EADDRINUSE') {
    return `PORT ${port} is already in use: stop what listens there, or set PORT to a free port.`;
  }
  if (code === 'EACCES') {
    return `PORT ${port} needs privileges this process does not have: set PORT to 1024 or more.`;
  }
  return null;
}

void bootstrap();
