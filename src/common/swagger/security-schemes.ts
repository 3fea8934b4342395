import type { SecuritySchemeObject } from '@nestjs/swagger';
import { ApiHeader } from '../http/headers';

/** The OpenAPI security schemes of the two tokens (DESIGN 5), named once for every route. */
export const BEARER_SECURITY = 'bearer';
export const SESSION_SECURITY = 'session-token';
/** Client-credentials tokens of the platform's services, on the `svc` routes (DESIGN 13). */
export const SERVICE_SECURITY = 'service-token';

export const BEARER_SCHEME: SecuritySchemeObject = {
  type: 'http',
  scheme: 'bearer',
  bearerFormat: 'JWT',
  description: 'Access token.',
};
export const SESSION_SCHEME: SecuritySchemeObject = {
  type: 'apiKey',
  in: 'header',
  name: ApiHeader.SessionToken,
  description: 'Session token from POST /users-organizations/v1/rs/sessions.',
};
