import type { Request } from 'express';
import type { AuthContext, BearerContext } from './auth-context';
import type { BearerIdentity } from './bearer-identity';
import type { ServiceContext } from './service-context';

/** The request as the guard chain leaves it. */
export interface AuthenticatedRequest extends Request {
  /** Set by passport once the access token is verified. */
  user?: BearerIdentity;
  /** Set by BearerUserGuard on bearer-only routes. */
  bearerContext?: BearerContext;
  /** Set by SessionGuard on session routes. */
  authContext?: AuthContext;
  /** Set by ServiceAuthGuard on `svc` routes. */
  serviceContext?: ServiceContext;
}
