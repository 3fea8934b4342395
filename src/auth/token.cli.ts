import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { parseArgs } from 'node:util';
import { AppModule } from '../app.module';
import { ConfigError, loadConfig } from '../config/app-config';
import { mintDemoTokens } from './demo-tokens';

/** `npm run token -- --subject alice --organization 1 [--export]` */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      subject: { type: 'string', default: 'alice' },
      organization: { type: 'string', default: '1' },
      export: { type: 'boolean', default: false },
    },
  });
  const organizationId = Number(values.organization);
  if (!Number.isSafeInteger(organizationId)) throw new Error('--organization must be an id');
  const config = loadConfig(process.env);
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), {
    logger: ['error'],
  });
  try {
    const tokens = await mintDemoTokens(app, config, values.subject, organizationId);
    if (values.export) {
      console.log(`export BEARER_TOKEN='${tokens.bearerToken}'`);
      console.log(`export SESSION_TOKEN='${tokens.sessionToken}'`);
    } else {
      console.log(`Bearer token:  ${tokens.bearerToken}`);
      console.log(`Session token: ${tokens.sessionToken}`);
      console.log(`Expires at:    ${tokens.expiresAt}`);
    }
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(error instanceof ConfigError ? 1 : 2);
});
