import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { emailKey } from '../common/validation/email-key';
import { AppConfig } from '../config';
import { BearerKeyResolver } from './bearer-key.resolver';
import { VerifiedTokenCache } from './verified-token-cache';

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

const bearerTokenOf = ExtractJwt.fromAuthHeaderAsBearerToken();

/**
 * Verifies `Authorization: Bearer` access tokens; only that header carries them. A token
 * verified before, with the keys still current, is not verified again until it expires
 * (VerifiedTokenCache).
 */
@Injectable()
export class BearerStrategy extends PassportStrategy(Strategy, BEARER_STRATEGY) {
  // Plain properties, not #private ones: passport runs authenticate() on an object made with
  // Object.create(strategy) for each request.
  private readonly verified = new VerifiedTokenCache<BearerIdentity>();
  /** The key generation each request's verification started with. */
  private readonly keysAtStart = new WeakMap<Request, number>();

  constructor(
    config: AppConfig,
    private readonly keys: BearerKeyResolver,
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

  override authenticate(request: Request, options?: unknown): void {
    const token = bearerTokenOf(request);
    const generation = this.keys.generation;
    const known = token === null ? undefined : this.verified.get(token, generation);
    if (known !== undefined) {
      this.success(known);
      return;
    }
    this.keysAtStart.set(request, generation);
    super.authenticate(request, options);
  }

  validate(request: Request, payload: Record<string, unknown>): BearerIdentity {
    const identity = this.identityOf(payload);
    const token = bearerTokenOf(request);
    const generation = this.keysAtStart.get(request);
    // A set too old to use (-1) verified nothing that may be kept.
    if (token !== null && generation !== undefined && generation >= 0) {
      this.verified.set(token, identity, payload.exp as number, generation);
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
