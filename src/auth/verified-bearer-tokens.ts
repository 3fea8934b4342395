import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { ExtractJwt } from 'passport-jwt';
import { BearerKeyResolver } from './bearer-key.resolver';
import type { BearerIdentity } from './bearer.strategy';
import { VerifiedTokenCache } from './verified-token-cache';

/** The access token of `Authorization: Bearer`, the only place one is read from. */
export const bearerTokenOf = ExtractJwt.fromAuthHeaderAsBearerToken();

/**
 * Access tokens verified in this process (VerifiedTokenCache), valid while the identity
 * provider's keys they were verified with are current. BearerStrategy keeps what it verified;
 * BearerAuthGuard answers a known token from here without passport's round.
 */
@Injectable()
export class VerifiedBearerTokens {
  private readonly verified = new VerifiedTokenCache<BearerIdentity>();

  constructor(private readonly keys: BearerKeyResolver) {}

  /** The generation of the keys a verification starting now uses (-1: none usable yet). */
  get generation(): number {
    return this.keys.generation;
  }

  /** The identity of the request's access token, when it was verified with the current keys. */
  known(request: Request): BearerIdentity | undefined {
    const token = bearerTokenOf(request);
    return token === null ? undefined : this.verified.get(token, this.keys.generation);
  }

  /** Keeps a token verified with the keys of `generation` (never those of no usable set). */
  keep(token: string, identity: BearerIdentity, exp: number, generation: number): void {
    if (generation >= 0) this.verified.set(token, identity, exp, generation);
  }
}
