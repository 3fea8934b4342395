import { INestApplicationContext, Logger } from '@nestjs/common';
import type { AppConfig } from '../config';
import { SwaggerUiAuthorization } from '../common/swagger/swagger-ui-authorization';
import { SWAGGER_UI_PATH } from '../common/swagger/swagger';
import { errorSummary } from '../database';
import { demoAdministrator, mintDemoTokens } from './demo-tokens';

/**
 * Outside production, on a database with the demo data (embedded or MySQL): real tokens for an
 * administrator, which the Swagger UI opens authorized with (DESIGN 9b), printed as they paste
 * into its Authorize dialog, and a curl that works when pasted. Written last, so that it is what
 * a person sees. It never stops the app: when no administrator is left, or anything fails, it
 * says how to get tokens instead.
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
    const sessionToken = tokens.sessionToken as string;
    app
      .get(SwaggerUiAuthorization)
      .authorizeWith({ bearerToken: tokens.bearerToken, sessionToken });
    const newName =
      subject === 'alice' ? 'Alicia' : subject.charAt(0).toUpperCase() + subject.slice(1);
    // Plain output, not a log line: it must paste as it is.
    console.log(
      `\nSwagger UI: ${base}/${SWAGGER_UI_PATH} opens authorized as ${subject},\n` +
        `administrator of organization ${organizationId} (tokens valid until ${tokens.expiresAt}).\n` +
        `To authorize again, paste each token under its scheme and click that scheme's own ` +
        `Authorize button:\n` +
        `  bearer          ${tokens.bearerToken}\n` +
        `  session-token   ${sessionToken}\n` +
        `Another user's tokens: npm run token -- --subject bob --organization 1\n` +
        `Try the PATCH as ${subject} with curl:\n` +
        `curl -i -X PATCH ${base}/users-organizations/v1/rs/users/me \\\n` +
        `  -H 'Authorization: Bearer ${tokens.bearerToken}' \\\n` +
        `  -H 'x-session-token: ${sessionToken}' \\\n` +
        `  -H 'content-type: application/json' -d '{"firstName":"${newName}"}'`,
    );
  } catch (error) {
    logger.warn(`No demo tokens printed (${errorSummary(error)}). ${howToGetTokens}`);
  }
}
