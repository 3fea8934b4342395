import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { Strategy } from 'passport-jwt';
import { emailKey } from '../common/validation/email-key';
import { AppConfig } from '../config';
import { BearerKeyResolver } from './bearer-key.resolver';
import { bearerTokenOf, VerifiedBearerTokens } from './verified-bearer-tokens';

export const BEARER_STRATEGY = 'bearer';

/** The identity the access token proves; the user row is looked up by the next guard. */
export interface BearerIdentity {
  subject: string;
  /**
   * The token's `email`, only when the identity provider marks it verified (and it fits the
   * users table); anything else is no email at all.
   */
  verifiedEmail: string | null;
}

export class InvalidBearerClaimsError extends Error {}

/**
 * Verifies `Authorization: Bearer` access tokens; only that header carries them. What it
 * verified is kept in VerifiedBearerTokens, from which BearerAuthGuard answers the token's
 * next requests.
 */
@Injectable()
export class BearerStrategy extends PassportStrategy(Strategy, BEARER_STRATEGY) {
  /** The key generation each request's verification started with. */
  private readonly keysAtStart = new WeakMap<Request, number>();

  constructor(
    config: AppConfig,
    keys: BearerKeyResolver,
    private readonly verified: VerifiedBearerTokens,
  ) {
    super({
      jwtFromRequest: bearerTokenOf,
      secretOrKeyProvider: keys.provider,
      algorithms: [...config.bearer.algorithms],
      issuer: config.issuer,
      audience: config.audience,
      ignoreExpiration: false,
      passReqToCallback: true,
    });
  }

  // passport runs this on an object made with Object.create(strategy) for each request: the
  // fields it reads are plain properties of the strategy, not #private ones.
  override authenticate(request: Request, options?: unknown): void {
    this.keysAtStart.set(request, this.verified.generation);
    super.authenticate(request, options);
  }

  validate(request: Request, payload: Record<string, unknown>): BearerIdentity {
    const identity = this.identityOf(payload);
    const token = bearerTokenOf(request);
    const generation = this.keysAtStart.get(request);
    if (token !== null && generation !== undefined) {
      this.verified.keep(token, identity, payload.exp as number, generation);
    }
    return identity;
  }

  private identityOf(payload: Record<string, unknown>): BearerIdentity {
    if (typeof payload.sub !== 'string' || payload.sub.length === 0 || payload.sub.length > 255) {
      throw new InvalidBearerClaimsError('sub is required');
    }
    if (typeof payload.exp !== 'number') throw new InvalidBearerClaimsError('exp is required');
    const verifiedEmail =
      payload.email_verified === true &&
      typeof payload.email === 'string' &&
      emailKey(payload.email) !== null
        ? payload.email.trim()
        : null;
    return { subject: payload.sub, verifiedEmail };
  }
}
