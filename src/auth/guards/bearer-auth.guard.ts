import { ExecutionContext, Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import type { Request, Response } from 'express';
import { AppException } from '../../common/errors/app.exception';
import { ErrorCode } from '../../common/errors/error-code';
import { IdentityProviderUnavailableError } from '../trusted-issuers';
import { BearerIdentity, personPlaneRefusal } from '../bearer-identity';
import { BEARER_STRATEGY } from '../bearer.strategy';
import type { AuthenticatedRequest } from '../authenticated-request';
import { VerifiedBearerTokens } from '../verified-bearer-tokens';

export const INVALID_TOKEN_CHALLENGE = 'Bearer error="invalid_token"';

export const invalidToken = (detail: string) =>
  new AppException(ErrorCode.TOKEN_INVALID, detail, {
    headers: { 'WWW-Authenticate': INVALID_TOKEN_CHALLENGE },
  });

/**
 * First link of the chain: verifies the access token (passport-jwt), or finds it verified
 * before (VerifiedBearerTokens), then admits it to its plane: on the `rs` routes, a token for
 * this API's people and not for services. Answers 401 for a missing, bad or misdirected token
 * and 503 when the identity provider's keys cannot be had, so an outage never looks like a
 * sign-out to clients.
 */
@Injectable()
export class BearerAuthGuard extends AuthGuard(BEARER_STRATEGY) {
  constructor(private readonly verified: VerifiedBearerTokens) {
    super();
    // The mixin marks its first parameter @Optional, and this class inherits that: a module
    // that cannot see VerifiedBearerTokens would get undefined here instead of a start failure.
    if (verified === undefined) throw new Error('BearerAuthGuard needs VerifiedBearerTokens');
  }

  override getAuthenticateOptions() {
    return { session: false };
  }

  override canActivate(context: ExecutionContext) {
    const http = context.switchToHttp();
    // Authenticated answers are per-user: no shared cache may keep them.
    http.getResponse<Response>().setHeader('Cache-Control', 'no-store');
    const request = http.getRequest<Request & { user?: BearerIdentity }>();
    const known = this.verified.known(request);
    if (known === undefined) return super.canActivate(context);
    this.admit(known, request);
    request.user = known;
    return true;
  }

  /** Throws unless the verified token may call the routes of this guard's plane. */
  protected admit(identity: BearerIdentity, _request: Request): void {
    const refusal = personPlaneRefusal(identity);
    if (refusal !== null) {
      throw invalidToken(`The access token is not accepted here: ${refusal}.`);
    }
  }

  override handleRequest<TUser = BearerIdentity>(
    error: unknown,
    user: TUser | false,
    info: unknown,
    context: ExecutionContext,
  ): TUser {
    if (user && !error) {
      this.admit(user as unknown as BearerIdentity, context.switchToHttp().getRequest<Request>());
      return user;
    }
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
    throw invalidToken(
      // passport-jwt hands over jsonwebtoken's error; by name, whichever copy of it threw.
      info instanceof Error && info.name === 'TokenExpiredError'
        ? 'The access token has expired: get a new one from the identity provider (on a ' +
            'development machine: npm run token).'
        : 'The access token is invalid, expired or not meant for this API.',
    );
  }
}
