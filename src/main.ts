import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { mintDemoTokens } from './auth/demo-tokens';
import { createApp } from './common/http/create-app';
import { SWAGGER_UI_PATH } from './common/swagger/swagger';
import { AppConfig, ConfigError, loadConfig } from './config/app-config';

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
  await app.listen(config.port);
  const base = (await app.getUrl()).replace('[::1]', 'localhost').replace('127.0.0.1', 'localhost');
  logger.log(
    `Serving on ${base} (${config.embedded ? 'embedded database' : config.database.type})`,
  );
  logger.log(`Swagger UI: ${base}/${SWAGGER_UI_PATH}`);
  if (config.embedded && config.bearer.kind === 'secret') {
    // Real tokens for the demo administrator, so the printed command works when pasted.
    const tokens = await mintDemoTokens(app, config, 'alice', 1);
    // Plain output, not a log line: it must paste into a shell as it is.
    console.log(
      '\nTry the PATCH as alice, administrator of organization 1 (tokens valid until ' +
        `${tokens.expiresAt}; more with npm run token):\n` +
        `curl -i -X PATCH ${base}/users-organizations/v1/rs/users/me \\\n` +
        `  -H 'Authorization: Bearer ${tokens.bearerToken}' \\\n` +
        `  -H 'x-session-token: ${tokens.sessionToken}' \\\n` +
        `  -H 'content-type: application/json' -d '{"firstName":"Alicia"}'`,
    );
  }
}

void bootstrap();
