import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Request, Response } from 'express';
import {
  BEARER_SCHEME,
  BEARER_SECURITY,
  SERVICE_SECURITY,
  SESSION_SCHEME,
  SESSION_SECURITY,
} from './security-schemes';
import { applyDocumentRules } from './document-rules';
import type { SwaggerUiAuthorization } from './swagger-ui-authorization';

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
        'On a development machine with the demo data, this page opens authorized as alice ' +
        '(administrator of organization 1): Try it out works at once. To act as someone else, ' +
        '`npm run token -- --subject bob --organization 1` prints both tokens (bob and carol ' +
        'are members of organization 1, dave administers organization 2). Click Authorize: ' +
        'each scheme has its own form and its own Authorize button, so paste the access token ' +
        'under `bearer` and click the Authorize button below it, then the session token under ' +
        '`session-token` and click the Authorize button below that one (Logout first where a ' +
        'form shows one). A token pasted into a form whose button was not clicked is not sent.' +
        '\n\n' +
        `The OpenAPI document: [/${SWAGGER_JSON_PATH}](/${SWAGGER_JSON_PATH}).`,
    )
    .setVersion('1')
    // Relative: the document is right wherever the app is served, behind any proxy.
    .addServer('/', 'The server that serves this document')
    .addBearerAuth(BEARER_SCHEME, BEARER_SECURITY)
    .addApiKey(SESSION_SCHEME, SESSION_SECURITY)
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

/** The preauthorization script, relative to the page as its other assets are. */
const PREAUTHORIZE_SCRIPT = 'preauthorize.js';

export function setupSwagger(
  app: NestExpressApplication,
  authorization: SwaggerUiAuthorization,
): void {
  // The page links its assets relative to itself: `./docs/x` from `/users-organizations/docs`,
  // `./x` from `/users-organizations/docs/`. Both resolve to one of these two paths.
  const folder = SWAGGER_UI_PATH.split('/').pop() as string;
  const express = app.getHttpAdapter().getInstance();
  for (const path of [
    `/${SWAGGER_UI_PATH}/${PREAUTHORIZE_SCRIPT}`,
    `/${SWAGGER_UI_PATH}/${folder}/${PREAUTHORIZE_SCRIPT}`,
  ]) {
    express.get(path, (_request: Request, response: Response) => {
      // Tokens: never cached, so a restart with a new database hands out the new ones.
      response.type('application/javascript').set('Cache-Control', 'no-store');
      response.send(authorization.script());
    });
  }
  SwaggerModule.setup(SWAGGER_UI_PATH, app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: SWAGGER_JSON_PATH,
    swaggerOptions: { persistAuthorization: true },
    customJs: `./${folder}/${PREAUTHORIZE_SCRIPT}`,
  });
}
