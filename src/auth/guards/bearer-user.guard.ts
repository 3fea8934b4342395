import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { AppException } from '../../common/errors/app.exception';
import { ErrorCode } from '../../common/errors/error-code';
import { requestIdOf } from '../../common/http/request-id.middleware';
import type { AuthenticatedRequest } from '../authenticated-request';
import { SessionsRepository } from '../sessions.repository';
import { INVALID_TOKEN_CHALLENGE } from './bearer-auth.guard';

/**
 * Second link on bearer-only routes: the token's `sub` must be a known, active user. A user an
 * administrator added by email gets its subject here, at its first sign-in, when the identity
 * provider vouches for that email.
 */
@Injectable()
export class BearerUserGuard implements CanActivate {
  constructor(private readonly sessions: SessionsRepository) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const identity = request.user;
    if (!identity) throw new Error('BearerUserGuard must run after BearerAuthGuard');
    const user =
      (await this.sessions.findActiveUserBySubject(identity.subject)) ??
      (identity.verifiedEmail === null
        ? null
        : await this.sessions.claimInvitedUser(identity.verifiedEmail, identity.subject));
    if (user === null) {
      throw new AppException(ErrorCode.USER_UNKNOWN, 'The access token names no active user.', {
        headers: { 'WWW-Authenticate': INVALID_TOKEN_CHALLENGE },
      });
    }
    request.bearerContext = { user, requestId: requestIdOf(request) };
    return true;
  }
}
