import {
  applyDecorators,
  createParamDecorator,
  ExecutionContext,
  SetMetadata,
  UseGuards,
} from '@nestjs/common';
import { ApiSecurity } from '@nestjs/swagger';
import { ErrorCode } from '../../common/errors/error-code';
import { UserRateLimitGuard } from '../../common/rate-limit/rate-limit.guards';
import { ApiProblems } from '../../common/swagger/api-problems.decorator';
import { SERVICE_SECURITY } from '../../common/swagger/security-schemes';
import type { ServiceRight } from '../../config';
import type { AuthenticatedRequest } from '../authenticated-request';
import { SERVICE_RIGHT, ServiceAuthGuard, ServiceRightGuard } from '../guards/service-auth.guard';
import type { ServiceContext } from '../service-context';

/**
 * The one decorator a `svc` route needs (DESIGN 13), also for other teams' modules: the right
 * it requires, its guards and its OpenAPI security.
 *
 * Guards run in this order, and the order matters: the token first proves which client calls
 * (and that it is a client, not a person); then that client's rate limit is counted, before any
 * database read; only then is the route's right judged, so that a client probing for rights it
 * lacks is limited like any other.
 */
export function ServiceAuthenticated(right: ServiceRight) {
  return applyDecorators(
    SetMetadata(SERVICE_RIGHT, right),
    UseGuards(ServiceAuthGuard, UserRateLimitGuard, ServiceRightGuard),
    ApiSecurity(SERVICE_SECURITY, [right]),
    ApiProblems(
      { status: 401, codes: [ErrorCode.TOKEN_INVALID, ErrorCode.TOKEN_MISSING] },
      { status: 403, codes: [ErrorCode.INSUFFICIENT_SCOPE] },
      429,
      {
        status: 503,
        codes: [ErrorCode.DATABASE_UNAVAILABLE, ErrorCode.IDENTITY_PROVIDER_UNAVAILABLE],
      },
    ),
  );
}

/** The calling client; fails loudly on a route without @ServiceAuthenticated(). */
export const CurrentService = createParamDecorator(
  (_data: unknown, context: ExecutionContext): ServiceContext => {
    const service = context.switchToHttp().getRequest<AuthenticatedRequest>().serviceContext;
    if (!service) throw new Error('@CurrentService() needs @ServiceAuthenticated() on the route');
    return service;
  },
);
