import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { DataSource } from 'typeorm';
import { AppModule } from '../app.module';
import { ANY_CLIENT, type ServiceContext } from '../auth';
import { AppException } from '../common/errors/app.exception';
import { StrictValidationPipe } from '../common/validation/validation.pipe';
import { AppConfig, ConfigError, loadConfig } from '../config';
import { buildDataSourceOptions } from '../database';
import { CreateInvitationDto, ServiceInvitations } from '../invitations';
import { CreateOrganizationDto, OrganizationsService } from '../organizations';
import { Scope } from '../users-organizations';
import { failureLine } from './command';

const USAGE =
  'npm run org:create -- --name "Clinique Saint-Roch" [--external-id crm-42] ' +
  '--admin-email direction@saint-roch.example [--admin-first-name Claire] [--admin-last-name Morel]';

/** The operator's shell acts as a client of its own in the audit trail (DESIGN 13). */
const CLI_CLIENT = 'cli:org-create';

/** Checks a body as the API's pipe would, and says in one line what is wrong. */
async function validated<T>(type: new () => T, body: object, flags: Record<string, string>) {
  try {
    return (await new StrictValidationPipe().transform(body, {
      type: 'body',
      metatype: type,
    })) as T;
  } catch (error) {
    if (!(error instanceof AppException)) throw error;
    const problems = (error.options.errors ?? []).map(
      ({ field, message }) => `${flags[field] ?? field} ${message}`,
    );
    throw new UsageError(problems.join('; '));
  }
}

class UsageError extends Error {}

let config: AppConfig | undefined;

/**
 * `npm run org:create`: an organization and its first administrator's invitation, without any
 * client (DESIGN 13). It runs on any DATABASE_URL, production included: it is the operator's
 * own shell, as trusted as the database credentials it holds.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      name: { type: 'string' },
      'external-id': { type: 'string' },
      'admin-email': { type: 'string' },
      'admin-first-name': { type: 'string' },
      'admin-last-name': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (values.name === undefined || values['admin-email'] === undefined) {
    throw new UsageError(`--name and --admin-email are required`);
  }
  const organization = await validated(
    CreateOrganizationDto,
    {
      name: values.name,
      ...(values['external-id'] === undefined ? {} : { externalId: values['external-id'] }),
    },
    { name: '--name', externalId: '--external-id' },
  );
  const invitation = await validated(
    CreateInvitationDto,
    {
      email: values['admin-email'],
      scope: Scope.Administrator,
      firstName: values['admin-first-name'] ?? 'Administrator',
      lastName: values['admin-last-name'] ?? values.name,
    },
    { email: '--admin-email', firstName: '--admin-first-name', lastName: '--admin-last-name' },
  );

  config = loadConfig(process.env);
  // Connected and migrated before Nest starts, so that a database problem is said in one line.
  const preflight = new DataSource(buildDataSourceOptions(config.database));
  await preflight.initialize();
  try {
    await preflight.runMigrations({ transaction: 'each' });
  } finally {
    await preflight.destroy();
  }
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), {
    logger: ['error'],
  });
  try {
    const operator: ServiceContext = {
      clientId: CLI_CLIENT,
      rights: ANY_CLIENT.rights,
      organizations: '*',
      requestId: randomUUID(),
    };
    const created = await app.get(OrganizationsService).create(operator, organization);
    const issued = await app.get(ServiceInvitations).invite(operator, created.id, invitation);
    console.log(`Organization ${created.id} created: ${created.name}`);
    console.log(
      `Administrator invited: ${issued.email} (invitation ${issued.id}, expires ${issued.expiresAt})`,
    );
    console.log(`Invitation token: ${issued.token}`);
    console.log(
      issued.acceptUrl === null
        ? 'Accept URL: none (INVITATION_ACCEPT_URL is not set)'
        : `Accept URL: ${issued.acceptUrl}`,
    );
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  console.error(
    error instanceof UsageError ? `${error.message}\n${USAGE}` : failureLine(error, config),
  );
  process.exit(error instanceof UsageError || error instanceof ConfigError ? 1 : 2);
});
