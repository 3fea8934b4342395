import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { AppException } from '../../common/errors/app.exception';
import { ErrorCode } from '../../common/errors/error-code';
import type { AuthenticatedRequest } from '../authenticated-request';
import { SessionsRepository } from '../sessions.repository';
import { INVALID_TOKEN_CHALLENGE } from './bearer-auth.guard';

/** Second link on bearer-only routes: the token's `sub` must be a known, active user. */
@Injectable()
export class BearerUserGuard implements CanActivate {
  constructor(private readonly sessions: SessionsRepository) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const identity = request.user;
    if (!identity) throw new Error('BearerUserGuard must run after BearerAuthGuard');
    const user = await this.sessions.findActiveUserBySubject(identity.subject);
    if (user === null) {
      throw new AppException(ErrorCode.USER_UNKNOWN, 'The access token names no active user.', {
        headers: { 'WWW-Authenticate': INVALID_TOKEN_CHALLENGE },
      });
    }
    request.bearerContext = { user };
    return true;
  }
}
