import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppException } from '../../common/errors/app.exception';
import { ErrorCode } from '../../common/errors/error-code';
import { requestIdOf } from '../../common/http/request-id.middleware';
import { emailKey } from '../../common/validation/email-key';
import { AppConfig } from '../../config';
import { UsersRepository } from '../../users';
import { AUTH_REQUIREMENTS, type AuthRequirements } from '../auth-requirements';
import { hasSecondFactor } from '../second-factor';
import type { AuthenticatedRequest } from '../authenticated-request';
import { INVALID_TOKEN_CHALLENGE } from './bearer-auth.guard';

/**
 * Second link on bearer-only routes (opening a session, my organizations, my invitations,
 * accepting one): the verified token's `sub` names the user, created just in time at its first
 * sign-in. A deleted user stays out (401).
 */
@Injectable()
export class BearerUserGuard implements CanActivate {
  private readonly acrValues: string[];

  constructor(
    private readonly users: UsersRepository,
    private readonly reflector: Reflector,
    config: AppConfig,
  ) {
    this.acrValues = config.auth.mfaAcrValues;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const identity = request.user;
    if (!identity) throw new Error('BearerUserGuard must run after BearerAuthGuard');
    const requirements = this.reflector.get<AuthRequirements | undefined>(
      AUTH_REQUIREMENTS,
      context.getHandler(),
    );
    const user = requirements?.existingUser
      ? await this.users.findActive(identity.issuer, identity.subject)
      : await this.users.signIn(identity.issuer, identity.subject, identity.verifiedEmail);
    if (user === null && requirements?.existingUser) {
      throw new AppException(ErrorCode.USER_NOT_FOUND, 'No user has this identity here.');
    }
    if (user === null) {
      throw new AppException(ErrorCode.USER_UNKNOWN, 'The access token names no active user.', {
        headers: { 'WWW-Authenticate': INVALID_TOKEN_CHALLENGE },
      });
    }
    request.bearerContext = {
      user: { id: user.id, issuer: user.issuer, subject: user.subject },
      verifiedEmailKey: identity.verifiedEmail === null ? null : emailKey(identity.verifiedEmail),
      mfa: hasSecondFactor(identity, this.acrValues),
      authTime: identity.authTime,
      requestId: requestIdOf(request),
    };
    return true;
  }
}
