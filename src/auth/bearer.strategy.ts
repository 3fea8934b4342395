import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { Strategy } from 'passport-jwt';
import { AppConfig } from '../config';
import { BearerIdentity, bearerIdentity, InvalidBearerClaimsError } from './bearer-identity';
import { TrustedIssuers } from './trusted-issuers';
import { bearerTokenOf, VerifiedBearerTokens } from './verified-bearer-tokens';

export const BEARER_STRATEGY = 'bearer';

export type { BearerIdentity } from './bearer-identity';

/**
 * Verifies `Authorization: Bearer` access tokens; only that header carries them. The key comes
 * from the issuer the token names (TrustedIssuers), so its `iss` is proven by its signature;
 * the audience is judged per plane by the guards. What it verified is kept in
 * VerifiedBearerTokens, from which the guards answer the token's next requests.
 */
@Injectable()
export class BearerStrategy extends PassportStrategy(Strategy, BEARER_STRATEGY) {
  /** The key generation each request's verification started with. */
  private readonly keysAtStart = new WeakMap<Request, Map<string, number>>();
  private readonly serviceAudience: string | undefined;

  constructor(
    config: AppConfig,
    private readonly issuers: TrustedIssuers,
    private readonly verified: VerifiedBearerTokens,
  ) {
    super({
      jwtFromRequest: bearerTokenOf,
      secretOrKeyProvider: issuers.provider,
      algorithms: issuers.algorithms,
      ignoreExpiration: false,
      passReqToCallback: true,
    });
    this.serviceAudience = config.auth.services?.audience;
  }

  // passport runs this on an object made with Object.create(strategy) for each request: the
  // fields it reads are plain properties of the strategy, not #private ones.
  override authenticate(request: Request, options?: unknown): void {
    this.keysAtStart.set(request, this.verified.generations());
    super.authenticate(request, options);
  }

  validate(request: Request, payload: Record<string, unknown>): BearerIdentity {
    const issuer = this.issuers.issuerOf(payload.iss);
    // The key came from the issuer `iss` names; the same claim is read here.
    if (issuer === undefined) throw new InvalidBearerClaimsError('iss names no trusted issuer');
    const identity = bearerIdentity(payload, issuer, this.serviceAudience);
    const token = bearerTokenOf(request);
    const generation = this.keysAtStart.get(request)?.get(issuer.issuer);
    if (token !== null && generation !== undefined) {
      this.verified.keep(token, identity, payload.exp as number, generation);
    }
    return identity;
  }
}
