import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { BEARER_SECURITY, SERVICE_SECURITY, SESSION_SECURITY } from './security-schemes';
import { ApiHeader } from '../http/headers';
import { applyDocumentRules } from './document-rules';

export const SWAGGER_UI_PATH = 'users-organizations/docs';
export const SWAGGER_JSON_PATH = 'users-organizations/docs-json';

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('users-organizations')
    .setDescription(
      "The organization's core API: who belongs to which organization, with which role, " +
        'profile and group permissions. Session routes need both the access token ' +
        '(Authorization: Bearer) and a session token (x-session-token) from POST /sessions. ' +
        'Errors are application/problem+json (RFC 9457).\n\n' +
        'On a development machine, `npm run token -- --subject alice --organization 1` prints ' +
        'both tokens (alice administers organization 1; bob and carol are members): click ' +
        'Authorize and paste them.\n\n' +
        `The OpenAPI document: [/${SWAGGER_JSON_PATH}](/${SWAGGER_JSON_PATH}).`,
    )
    .setVersion('1')
    // Relative: the document is right wherever the app is served, behind any proxy.
    .addServer('/', 'The server that serves this document')
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Access token.' },
      BEARER_SECURITY,
    )
    .addApiKey(
      {
        type: 'apiKey',
        in: 'header',
        name: ApiHeader.SessionToken,
        description: 'Session token from POST /users-organizations/v1/rs/sessions.',
      },
      SESSION_SECURITY,
    )
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description:
          "A service's access token, obtained by the OAuth 2.0 client-credentials grant for the " +
          'audience AUTH_SERVICE_AUDIENCE (on a development machine: `npm run token -- --service ' +
          'billing --scope "organizations:write"`). Each `svc` route names the right its token ' +
          'must carry (its `scope` or `roles`).',
      },
      SERVICE_SECURITY,
    )
    .build();
  // The package is private (UNLICENSED): say so rather than leave the license out. Not through
  // setLicense(), which would add an empty url.
  config.info.license = { name: 'Proprietary' };
  return applyDocumentRules(SwaggerModule.createDocument(app, config));
}

export function setupSwagger(app: INestApplication): void {
  SwaggerModule.setup(SWAGGER_UI_PATH, app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: SWAGGER_JSON_PATH,
    swaggerOptions: { persistAuthorization: true },
  });
}
