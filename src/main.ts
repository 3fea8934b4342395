import 'reflect-metadata';
import { INestApplicationContext, Logger } from '@nestjs/common';
import { demoAdministrator, mintDemoTokens } from './demo/demo-tokens';
import { createApp } from './create-app';
import { SWAGGER_UI_PATH } from './common/swagger/swagger';
import { AppConfig, ConfigError, loadConfig } from './config/app-config';
import { DatabaseConnector } from './database/database-connector';

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
  for (const name of config.developmentSecrets) {
    logger.warn(`${name} is not set: using the development secret. Never do this in production.`);
  }
  app.get(DatabaseConnector).onGiveUp(() => {
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
  const base = (await app.getUrl()).replace('[::1]', 'localhost').replace('127.0.0.1', 'localhost');
  logger.log(
    `Serving on ${base} (${config.embedded ? 'embedded database' : config.database.type})`,
  );
  logger.log(`Swagger UI: ${base}/${SWAGGER_UI_PATH}`);
  await printDevelopmentBanner(app, config, base, logger);
}

/**
 * Outside production, on a database with the demo data (embedded or MySQL): real tokens for an
 * administrator and a curl that works when pasted. It never stops the app: when no
 * administrator is left, or anything fails, it says how to get tokens instead.
 */
async function printDevelopmentBanner(
  app: INestApplicationContext,
  config: AppConfig,
  base: string,
  logger: Logger,
): Promise<void> {
  if (config.env === 'production' || config.bearer.kind !== 'secret') return;
  const howToGetTokens =
    'Get tokens with: npm run token -- --subject <subject> --organization <id>';
  try {
    const administrator = await demoAdministrator(app);
    if (administrator === null) {
      logger.log(`No demo administrator to print tokens for. ${howToGetTokens}`);
      return;
    }
    const { subject, organizationId } = administrator;
    const tokens = await mintDemoTokens(app, config, { subject, organizationId });
    const newName =
      subject === 'alice' ? 'Alicia' : subject.charAt(0).toUpperCase() + subject.slice(1);
    // Plain output, not a log line: it must paste into a shell as it is.
    console.log(
      `\nTry the PATCH as ${subject}, administrator of organization ${organizationId} (tokens ` +
        `valid until ${tokens.expiresAt}; more with npm run token):\n` +
        `curl -i -X PATCH ${base}/users-organizations/v1/rs/users/me \\\n` +
        `  -H 'Authorization: Bearer ${tokens.bearerToken}' \\\n` +
        `  -H 'x-session-token: ${tokens.sessionToken}' \\\n` +
        `  -H 'content-type: application/json' -d '{"firstName":"${newName}"}'`,
    );
  } catch (error) {
    logger.warn(
      `No demo tokens printed (${error instanceof Error ? error.message : String(error)}). ${howToGetTokens}`,
    );
  }
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
