import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { parseArgs } from 'node:util';
import { AppModule } from '../app.module';
import type { INestApplicationContext } from '@nestjs/common';
import { AppException } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';
import { AppConfig, ConfigError, loadConfig } from '../config';
import { UsersRepository } from '../users';
import { MyOrganizationsRepository } from '../users-organizations';
import { mintDemoTokens, mintServiceToken } from '../demo';

const USAGE =
  'npm run token -- [--subject alice] [--organization 1] [--email frank@example.com] [--amr mfa]\n' +
  '       [--auth-time <seconds since 1970>] [--export]\n' +
  '       npm run token -- --service billing --scope "organizations:write invitations:write"';

/**
 * Both tokens for a user and organization, or with `--email` a bearer carrying that verified
 * email (subject: the email unless --subject says otherwise), for a newcomer to see and accept
 * its invitations; `--organization` then adds a session.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      help: { type: 'boolean', default: false },
      subject: { type: 'string' },
      organization: { type: 'string' },
      email: { type: 'string' },
      export: { type: 'boolean', default: false },
      service: { type: 'string' },
      scope: { type: 'string' },
      amr: { type: 'string' },
      'auth-time': { type: 'string' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
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
  const authTime = values['auth-time'] === undefined ? undefined : Number(values['auth-time']);
  if (authTime !== undefined && !Number.isSafeInteger(authTime)) {
    throw new Error(`--auth-time must be seconds since 1970\n${USAGE}`);
  }
  const config = loadConfig(process.env);
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), {
    logger: ['error'],
  });
  const subject = values.subject ?? values.email ?? 'alice';
  try {
    const tokens = await mintDemoTokens(app, config, {
      subject,
      organizationId,
      email: values.email,
      amr: values.amr?.split(/[\s,]+/).filter(Boolean),
      authTime,
    }).catch(async (error: unknown) => {
      if (!(error instanceof AppException) || error.code !== ErrorCode.NOT_A_MEMBER) throw error;
      throw new Error(await notAMember(app, config, subject, organizationId as number));
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

/** Says where the subject is a member, so the next try names the right organization. */
async function notAMember(
  app: INestApplicationContext,
  config: AppConfig,
  subject: string,
  organizationId: number,
): Promise<string> {
  const user = await app.get(UsersRepository).findActive(config.auth.defaultIssuer, subject);
  const mine =
    user === null ? [] : await app.get(MyOrganizationsRepository).findActiveForUser(user.id);
  const where = mine.map((organization) => `${organization.organizationId} (${organization.name})`);
  return (
    `${subject} is not an active member of organization ${organizationId}` +
    (where.length === 0
      ? '; it is a member of no organization.'
      : `; ${subject} is a member of ${where.join(', ')}: try --organization ${mine[0].organizationId}.`)
  );
}

main().catch((error: unknown) => {
  // parseArgs refuses an unknown option with a TypeError: say what the options are.
  const usage = error instanceof TypeError ? `\n${USAGE}` : '';
  console.error((error instanceof Error ? error.message : String(error)) + usage);
  process.exit(error instanceof ConfigError || usage !== '' ? 1 : 2);
});
