import { ExecutionContext, Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import type { Response } from 'express';
import { AppException } from '../../common/errors/app.exception';
import { ErrorCode } from '../../common/errors/error-code';
import { IdentityProviderUnavailableError } from '../bearer-key.resolver';
import { BEARER_STRATEGY, BearerIdentity } from '../bearer.strategy';
import type { AuthenticatedRequest } from '../authenticated-request';

export const INVALID_TOKEN_CHALLENGE = 'Bearer error="invalid_token"';

/**
 * First link of the chain: verifies the access token (passport-jwt). Answers 401 for a missing
 * or bad token and 503 when the identity provider's keys cannot be had, so an outage never
 * looks like a sign-out to clients.
 */
@Injectable()
export class BearerAuthGuard extends AuthGuard(BEARER_STRATEGY) {
  override getAuthenticateOptions() {
    return { session: false };
  }

  override canActivate(context: ExecutionContext) {
    // Authenticated answers are per-user: no shared cache may keep them.
    context.switchToHttp().getResponse<Response>().setHeader('Cache-Control', 'no-store');
    return super.canActivate(context);
  }

  override handleRequest<TUser = BearerIdentity>(
    error: unknown,
    user: TUser | false,
    info: unknown,
    context: ExecutionContext,
  ): TUser {
    if (user && !error) return user;
    if (info instanceof IdentityProviderUnavailableError) {
      throw new AppException(
        ErrorCode.IDENTITY_PROVIDER_UNAVAILABLE,
        "The identity provider's signing keys cannot be fetched; retry shortly.",
        { headers: { 'Retry-After': '5' } },
      );
    }
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const authorization = request.headers.authorization;
    if (typeof authorization !== 'string' || !/^Bearer\s+\S/i.test(authorization)) {
      throw new AppException(
        ErrorCode.TOKEN_MISSING,
        'Send the access token as Authorization: Bearer <token>.',
        { headers: { 'WWW-Authenticate': 'Bearer' } },
      );
    }
    throw new AppException(
      ErrorCode.TOKEN_INVALID,
      // passport-jwt hands over jsonwebtoken's error; by name, whichever copy of it threw.
      info instanceof Error && info.name === 'TokenExpiredError'
        ? 'The access token has expired: get a new one from the identity provider (on a ' +
            'development machine: npm run token).'
        : 'The access token is invalid, expired or not meant for this API.',
      { headers: { 'WWW-Authenticate': INVALID_TOKEN_CHALLENGE } },
    );
  }
}
