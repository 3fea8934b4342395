import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { emailKey } from '../common/validation/email-key';
import { AppConfig } from '../config';
import { BearerKeyResolver } from './bearer-key.resolver';

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

/** Verifies `Authorization: Bearer` access tokens; only that header carries them. */
@Injectable()
export class BearerStrategy extends PassportStrategy(Strategy, BEARER_STRATEGY) {
  constructor(config: AppConfig, keys: BearerKeyResolver) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKeyProvider: keys.provider,
      algorithms: [...config.bearer.algorithms],
      issuer: config.issuer,
      audience: config.audience,
      ignoreExpiration: false,
    });
  }

  validate(payload: Record<string, unknown>): BearerIdentity {
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
