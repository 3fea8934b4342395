import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { ExtractJwt } from 'passport-jwt';
import type { BearerIdentity } from './bearer-identity';
import { TrustedIssuers } from './trusted-issuers';
import { VerifiedTokenCache } from './verified-token-cache';

/** The access token of `Authorization: Bearer`, the only place one is read from. */
export const bearerTokenOf = ExtractJwt.fromAuthHeaderAsBearerToken();

/**
 * Access tokens verified in this process (VerifiedTokenCache), valid while the keys of their
 * issuer they were verified with are current. BearerStrategy keeps what it verified; the guards
 * answer a known token from here without passport's round.
 */
@Injectable()
export class VerifiedBearerTokens {
  private readonly verified = new VerifiedTokenCache<BearerIdentity>();
  private readonly currentKeys = (identity: BearerIdentity) =>
    this.issuers.generationOf(identity.issuer);

  constructor(private readonly issuers: TrustedIssuers) {}

  /** The generation of each issuer's keys a verification starting now uses (-1: none usable). */
  generations(): Map<string, number> {
    return this.issuers.generations();
  }

  /** The identity of the request's access token, when verified with its issuer's current keys. */
  known(request: Request): BearerIdentity | undefined {
    const token = bearerTokenOf(request);
    return token === null ? undefined : this.verified.get(token, this.currentKeys);
  }

  /** Keeps a token verified with the keys of `generation` (never those of no usable set). */
  keep(token: string, identity: BearerIdentity, exp: number, generation: number): void {
    if (generation >= 0) this.verified.set(token, identity, exp, generation);
  }
}
