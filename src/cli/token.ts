import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { parseArgs } from 'node:util';
import { AppModule } from '../app.module';
import { ConfigError, loadConfig } from '../config';
import { mintDemoTokens, mintServiceToken } from '../demo';

const USAGE =
  'npm run token -- [--subject alice] [--organization 1] [--email frank@example.com] [--export]\n' +
  '       npm run token -- --service billing --scope "organizations:write invitations:write"';

/**
 * Both tokens for a user and organization, or with `--email` a bearer carrying that verified
 * email (subject: the email unless --subject says otherwise), for a newcomer to see and accept
 * its invitations; `--organization` then adds a session.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      subject: { type: 'string' },
      organization: { type: 'string' },
      email: { type: 'string' },
      export: { type: 'boolean', default: false },
      service: { type: 'string' },
      scope: { type: 'string' },
    },
  });
  if (values.service !== undefined || values.scope !== undefined) {
    if (values.service === undefined || values.scope === undefined) {
      throw new Error(`--service and --scope go together\n${USAGE}`);
    }
    const { bearerToken, expiresAt } = mintServiceToken(
      loadConfig(process.env),
      values.service,
      values.scope,
    );
    console.log(
      values.export
        ? `export SERVICE_TOKEN='${bearerToken}'`
        : `Service token: ${bearerToken}\nExpires at:    ${expiresAt}`,
    );
    return;
  }
  const organization = values.organization ?? (values.email === undefined ? '1' : undefined);
  const organizationId = organization === undefined ? undefined : Number(organization);
  if (organizationId !== undefined && !Number.isSafeInteger(organizationId)) {
    throw new Error(`--organization must be an id\n${USAGE}`);
  }
  const config = loadConfig(process.env);
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), {
    logger: ['error'],
  });
  try {
    const tokens = await mintDemoTokens(app, config, {
      subject: values.subject ?? values.email ?? 'alice',
      organizationId,
      email: values.email,
    });
    if (values.export) {
      console.log(`export BEARER_TOKEN='${tokens.bearerToken}'`);
      if (tokens.sessionToken) console.log(`export SESSION_TOKEN='${tokens.sessionToken}'`);
    } else {
      console.log(`Bearer token:  ${tokens.bearerToken}`);
      if (tokens.sessionToken) console.log(`Session token: ${tokens.sessionToken}`);
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
