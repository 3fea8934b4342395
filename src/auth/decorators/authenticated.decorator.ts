import { applyDecorators, SetMetadata, UseGuards } from '@nestjs/common';
import { ApiSecurity } from '@nestjs/swagger';
import { ErrorCode } from '../../common/errors/error-code';
import { UserRateLimitGuard } from '../../common/rate-limit/rate-limit.guards';
import { ApiProblems } from '../../common/swagger/api-problems.decorator';
import { BEARER_SECURITY, SESSION_SECURITY } from '../../common/swagger/security-schemes';
import { AUTH_REQUIREMENTS, AuthRequirements } from '../auth-requirements';
import { BearerAuthGuard } from '../guards/bearer-auth.guard';
import { BearerUserGuard } from '../guards/bearer-user.guard';
import { SessionGuard } from '../guards/session.guard';

const BEARER_ROUTE_401 = [ErrorCode.TOKEN_INVALID, ErrorCode.TOKEN_MISSING];
const SESSION_ROUTE_401 = [
  ...BEARER_ROUTE_401,
  ErrorCode.SESSION_TOKEN_MISSING,
  ErrorCode.SESSION_EXPIRED,
  ErrorCode.SESSION_REVOKED,
];

/**
 * The one decorator a route needs for authentication, also for other teams' modules.
 *
 * Guards run in this order, and the order matters: the access token first proves who calls;
 * then that caller's rate limit is counted (keyed by the verified `sub`, and before any database
 * read); only then is the session token checked against that same user (so neither token can
 * stand in for the other); only once the membership is loaded can the role be judged.
 */
export function Authenticated(options: Partial<AuthRequirements> = {}) {
  const requirements: AuthRequirements = { session: true, administrator: false, ...options };
  if (requirements.administrator && !requirements.session) {
    throw new Error('An administrator requirement needs a session: the role is per organization');
  }
  return applyDecorators(
    SetMetadata(AUTH_REQUIREMENTS, requirements),
    UseGuards(
      BearerAuthGuard,
      UserRateLimitGuard,
      requirements.session ? SessionGuard : BearerUserGuard,
    ),
    // One requirement object with both keys: OpenAPI reads it as "both", not "either".
    ApiSecurity(
      requirements.session
        ? { [BEARER_SECURITY]: [], [SESSION_SECURITY]: [] }
        : { [BEARER_SECURITY]: [] },
    ),
    ApiProblems(
      { status: 401, codes: requirements.session ? SESSION_ROUTE_401 : BEARER_ROUTE_401 },
      429,
      {
        status: 503,
        codes: [ErrorCode.DATABASE_UNAVAILABLE, ErrorCode.IDENTITY_PROVIDER_UNAVAILABLE],
      },
      ...(requirements.administrator ? [403] : []),
    ),
  );
}
