import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { createSecretKey, KeyObject } from 'node:crypto';
import { decode } from 'jsonwebtoken';
import type { SecretOrKeyProvider } from 'passport-jwt';
import { AppConfig } from '../config';
import { InvalidBearerKeyError, JwksKeySet } from './jwks-key-set';

export { IdentityProviderUnavailableError, InvalidBearerKeyError } from './jwks-key-set';

/**
 * Hands passport-jwt the key to verify a bearer token with, always as a KeyObject (strings are
 * re-parsed on every verification): the HS256 secret, or the identity provider's key the
 * token's `kid` names (JwksKeySet). `jku`/`x5u` headers are never followed.
 */
@Injectable()
export class BearerKeyResolver implements OnApplicationShutdown {
  private readonly secretKey?: KeyObject;
  private readonly jwks?: JwksKeySet;
  private readonly algorithms: readonly string[];

  constructor(config: AppConfig) {
    this.algorithms = config.bearer.algorithms;
    if (config.bearer.kind === 'secret') {
      this.secretKey = createSecretKey(Buffer.from(config.bearer.secret, 'utf8'));
    } else {
      this.jwks = new JwksKeySet({
        uri: config.bearer.jwksUri,
        algorithms: config.bearer.algorithms,
        refetchIntervalMs: config.bearer.refetchIntervalSeconds * 1000,
      });
    }
  }

  /**
   * Which keys verify tokens now (JwksKeySet.generation; always 0 with a secret): a token
   * verified with other keys must be verified again.
   */
  get generation(): number {
    return this.jwks?.generation ?? 0;
  }

  onApplicationShutdown(): void {
    this.jwks?.close();
  }

  /**
   * passport-jwt's `secretOrKeyProvider`. Its types say string or Buffer, but it hands the key
   * untouched to jsonwebtoken, which takes (and prefers) a KeyObject.
   */
  readonly provider: SecretOrKeyProvider = (_request, rawToken: string, done) => {
    this.resolve(rawToken).then(
      (key) => done(null, key as unknown as Buffer),
      (error: Error) => done(error),
    );
  };

  async resolve(rawToken: string): Promise<KeyObject> {
    if (this.secretKey) return this.secretKey;
    const header = decode(rawToken, { complete: true })?.header;
    if (!header || !this.algorithms.includes(header.alg)) {
      throw new InvalidBearerKeyError('the token is malformed or uses an algorithm not allowed');
    }
    const kid = typeof header.kid === 'string' ? header.kid : undefined;
    return (this.jwks as JwksKeySet).key(kid);
  }
}
