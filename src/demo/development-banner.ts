import { INestApplicationContext, Logger } from '@nestjs/common';
import type { AppConfig } from '../config';
import { errorSummary } from '../database';
import { demoAdministrator, mintDemoTokens } from './demo-tokens';

/**
 * Outside production, on a database with the demo data (embedded or MySQL): real tokens for an
 * administrator and a curl that works when pasted. It never stops the app: when no
 * administrator is left, or anything fails, it says how to get tokens instead.
 */
export async function printDevelopmentBanner(
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
    logger.warn(`No demo tokens printed (${errorSummary(error)}). ${howToGetTokens}`);
  }
}
