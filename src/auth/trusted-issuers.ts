import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { createSecretKey, KeyObject } from 'node:crypto';
import { type Algorithm, decode } from 'jsonwebtoken';
import type { SecretOrKeyProvider } from 'passport-jwt';
import { AppConfig } from '../config';
import { InvalidBearerKeyError, JwksKeySet } from './jwks-key-set';

export { IdentityProviderUnavailableError, InvalidBearerKeyError } from './jwks-key-set';

/** An identity provider whose access tokens this API accepts (DESIGN 5). */
export interface TrustedIssuer {
  /** Its `iss`; '' for the default issuer where AUTH_JWT_ISSUER is unset (development). */
  issuer: string;
  /** The audience people's tokens must carry, when configured. */
  audience: string | undefined;
  /** Whether its verified emails count for invitations. */
  trustEmail: boolean;
  algorithms: readonly string[];
  secret?: KeyObject;
  jwks?: JwksKeySet;
}

/**
 * The trusted identity providers, keyed by issuer, and the key a token is verified with: the
 * one its issuer publishes for its `kid` (or the HS256 secret of the default issuer). The
 * token's `iss` picks the provider, so one issuer's keys never verify a token naming another;
 * `jku`/`x5u` headers are never followed. Keys are handed over as KeyObjects (strings would be
 * parsed again at every verification).
 */
@Injectable()
export class TrustedIssuers implements OnApplicationShutdown {
  /** Every algorithm some issuer accepts (each issuer's own list is checked per token). */
  readonly algorithms: Algorithm[];
  private readonly byIssuer = new Map<string, TrustedIssuer>();

  constructor(config: AppConfig) {
    const { bearer } = config;
    const defaultIssuer: TrustedIssuer = {
      issuer: config.auth.defaultIssuer,
      audience: config.audience,
      trustEmail: true,
      algorithms: bearer.algorithms,
      ...(bearer.kind === 'secret'
        ? { secret: createSecretKey(Buffer.from(bearer.secret, 'utf8')) }
        : {
            jwks: new JwksKeySet({
              uri: bearer.jwksUri,
              algorithms: bearer.algorithms,
              refetchIntervalMs: bearer.refetchIntervalSeconds * 1000,
            }),
          }),
    };
    this.byIssuer.set(defaultIssuer.issuer, defaultIssuer);
    const refetchIntervalMs = (bearer.kind === 'jwks' ? bearer.refetchIntervalSeconds : 30) * 1000;
    for (const entry of config.auth.extraIssuers) {
      const algorithms = ['RS256', 'ES256'];
      this.byIssuer.set(entry.issuer, {
        issuer: entry.issuer,
        audience: entry.audience,
        trustEmail: entry.trustEmail,
        algorithms,
        jwks: new JwksKeySet({ uri: entry.jwksUri, algorithms, refetchIntervalMs }),
      });
    }
    this.algorithms = [
      ...new Set([...this.byIssuer.values()].flatMap((issuer) => issuer.algorithms)),
    ] as Algorithm[];
  }

  /**
   * The provider a token's `iss` names. A token without `iss` is the default issuer's only
   * where that issuer is '' (development tokens); an empty or unknown `iss` names none.
   */
  issuerOf(iss: unknown): TrustedIssuer | undefined {
    if (iss === undefined) return this.byIssuer.get('');
    return typeof iss === 'string' && iss !== '' ? this.byIssuer.get(iss) : undefined;
  }

  /**
   * Which keys of `issuer` verify tokens now (JwksKeySet.generation; always 0 for a secret): a
   * token verified with other keys must be verified again.
   */
  generationOf(issuer: string): number {
    return this.byIssuer.get(issuer)?.jwks?.generation ?? 0;
  }

  /** generationOf() of every issuer, read at once (a verification's starting point). */
  generations(): Map<string, number> {
    const generations = new Map<string, number>();
    for (const issuer of this.byIssuer.keys()) generations.set(issuer, this.generationOf(issuer));
    return generations;
  }

  onApplicationShutdown(): void {
    for (const issuer of this.byIssuer.values()) issuer.jwks?.close();
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
    const decoded = decode(rawToken, { complete: true });
    const payload = decoded?.payload;
    const issuer =
      typeof payload === 'object' && payload !== null ? this.issuerOf(payload.iss) : undefined;
    if (decoded === null || issuer === undefined) {
      throw new InvalidBearerKeyError('the token is malformed or names no trusted issuer');
    }
    if (!issuer.algorithms.includes(decoded.header.alg)) {
      throw new InvalidBearerKeyError("the token uses an algorithm its issuer's keys do not");
    }
    if (issuer.secret !== undefined) return issuer.secret;
    const kid = typeof decoded.header.kid === 'string' ? decoded.header.kid : undefined;
    return (issuer.jwks as JwksKeySet).key(kid);
  }
}
