import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { AuthContext, BearerContext } from '../auth-context';
import type { AuthenticatedRequest } from '../authenticated-request';

/** The caller's user, session and membership; fails loudly on a route without the guards. */
export const CurrentAuth = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AuthContext => {
    const auth = context.switchToHttp().getRequest<AuthenticatedRequest>().authContext;
    if (!auth) throw new Error('@CurrentAuth() needs @Authenticated() on the route');
    return auth;
  },
);

/** The caller's user on bearer-only routes (`@Authenticated({ session: false })`). */
export const CurrentBearer = createParamDecorator(
  (_data: unknown, context: ExecutionContext): BearerContext => {
    const bearer = context.switchToHttp().getRequest<AuthenticatedRequest>().bearerContext;
    if (!bearer) throw new Error('@CurrentBearer() needs @Authenticated({ session: false })');
    return bearer;
  },
);
