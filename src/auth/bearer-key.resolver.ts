import { Injectable } from '@nestjs/common';
import { createPublicKey, createSecretKey, KeyObject } from 'node:crypto';
import { decode } from 'jsonwebtoken';
import { JwksClient } from 'jwks-rsa';
import type { SecretOrKeyProvider } from 'passport-jwt';
import { AppConfig } from '../config/app-config';

export class InvalidBearerKeyError extends Error {}
export class IdentityProviderUnavailableError extends Error {}

const KEY_TTL_MS = 10 * 60 * 1000;
const MAX_CACHED_KEYS = 32;

/**
 * Hands passport-jwt the key to verify a bearer token with, always as a KeyObject (strings are
 * re-parsed on every verification). With a JWKS, keys are cached per `kid`; an unknown `kid`
 * costs at most a rate-limited fetch, and `jku`/`x5u` headers are never followed.
 */
@Injectable()
export class BearerKeyResolver {
  private readonly secretKey?: KeyObject;
  private readonly jwks?: JwksClient;
  private readonly algorithms: readonly string[];
  private readonly publicKeys = new Map<string, { key: KeyObject; expiresAt: number }>();
  /** Whether the last real fetch of the JWKS failed: then a rate-limited miss is an outage. */
  private lastFetchFailed = false;

  constructor(config: AppConfig) {
    this.algorithms = config.bearer.algorithms;
    if (config.bearer.kind === 'secret') {
      this.secretKey = createSecretKey(Buffer.from(config.bearer.secret, 'utf8'));
    } else {
      this.jwks = new JwksClient({
        jwksUri: config.bearer.jwksUri,
        cache: true,
        cacheMaxEntries: MAX_CACHED_KEYS,
        cacheMaxAge: KEY_TTL_MS,
        rateLimit: true,
        jwksRequestsPerMinute: 10,
        timeout: 3000,
      });
    }
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
    const decoded = decode(rawToken, { complete: true });
    const header = decoded?.header;
    if (!header || !this.algorithms.includes(header.alg)) {
      throw new InvalidBearerKeyError('the token is malformed or uses an algorithm not allowed');
    }
    const kid = typeof header.kid === 'string' ? header.kid : '';
    const cached = this.publicKeys.get(kid);
    if (cached && cached.expiresAt > Date.now()) return cached.key;
    let key: KeyObject;
    try {
      const signingKey = await (this.jwks as JwksClient).getSigningKey(kid || undefined);
      key = createPublicKey(signingKey.getPublicKey());
      this.lastFetchFailed = false;
    } catch (error) {
      const name = error instanceof Error ? error.name : '';
      if (name === 'SigningKeyNotFoundError') {
        this.lastFetchFailed = false;
        throw new InvalidBearerKeyError('no key of the identity provider matches the token');
      }
      if (name === 'JwksRateLimitError' && !this.lastFetchFailed) {
        throw new InvalidBearerKeyError('no key of the identity provider matches the token');
      }
      if (name !== 'JwksRateLimitError') this.lastFetchFailed = true;
      throw new IdentityProviderUnavailableError('the identity provider keys cannot be fetched');
    }
    if (this.publicKeys.size >= MAX_CACHED_KEYS) {
      this.publicKeys.delete(this.publicKeys.keys().next().value as string);
    }
    this.publicKeys.set(kid, { key, expiresAt: Date.now() + KEY_TTL_MS });
    return key;
  }
}
