import { createPublicKey, JsonWebKey, KeyObject } from 'node:crypto';

export class InvalidBearerKeyError extends Error {}
export class IdentityProviderUnavailableError extends Error {}

export interface JwksKeySetOptions {
  uri: string;
  /** The algorithms tokens may use: keys for others are ignored. */
  algorithms: readonly string[];
  /** The least time between two fetches that unknown `kid`s cause, process-wide. */
  refetchIntervalMs: number;
  /** How long a fetched set is fresh; it is refreshed in the background before that. */
  maxAgeMs?: number;
  /** How long the last good set keeps serving while refreshes fail. */
  staleLimitMs?: number;
  timeoutMs?: number;
  now?: () => number;
}

const DEFAULT_MAX_AGE_MS = 10 * 60 * 1000;
const DEFAULT_STALE_LIMIT_MS = 24 * 60 * 60 * 1000;
const DEFAULT_TIMEOUT_MS = 3000;
const MAX_JWKS_BYTES = 256 * 1024;
const MAX_KEYS = 64;
const MAX_MISSES = 10_000;
const MIN_RSA_BITS = 2048;
/** A refresh starts when this share of the set's freshness has passed. */
const REFRESH_AHEAD = 0.8;

/**
 * The identity provider's key set (DESIGN 5), fetched whole and cached:
 * - refreshed in the background before it goes stale; a failed refresh keeps the last good set
 *   serving for up to 24 hours;
 * - a token with an unknown `kid` may cause one refetch per refetch interval for the whole
 *   process, and concurrent callers share it (single flight);
 * - a `kid` checked against a set fetched after it was first asked for, and missing from it, is
 *   a miss until the next fetch: it never causes a fetch again. A `kid` refused only because the
 *   interval had not passed is not a miss, so a real rotation gets the next refetch.
 * No volume of bogus `kid`s makes the app hammer the provider or starves a rotation.
 */
export class JwksKeySet {
  private keys = new Map<string, KeyObject>();
  /** When the current set was fetched (0: never). */
  private fetchedAt = 0;
  private lastAttemptAt = Number.NEGATIVE_INFINITY;
  private lastAttemptFailed = false;
  private inflight: Promise<void> | null = null;
  private misses = new Set<string>();
  private fetches = 0;
  private refreshTimer: NodeJS.Timeout | undefined;
  private readonly maxAgeMs: number;
  private readonly staleLimitMs: number;
  private readonly timeoutMs: number;
  private readonly now: () => number;

  constructor(private readonly options: JwksKeySetOptions) {
    this.maxAgeMs = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
    this.staleLimitMs = options.staleLimitMs ?? DEFAULT_STALE_LIMIT_MS;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.now = options.now ?? Date.now;
  }

  /** The key a token's `kid` names (a token without one: the set's only key, if it has one). */
  async key(kid: string | undefined): Promise<KeyObject> {
    const askedAt = this.now();
    if (!this.usable()) await this.fetchIfAllowed();
    const known = this.lookup(kid);
    if (known !== undefined) return known;
    const name = kid ?? '';
    if (this.misses.has(name)) throw unknownKey();
    if (this.fetchedAt < askedAt) {
      await this.fetchIfAllowed();
      const fetched = this.lookup(kid);
      if (fetched !== undefined) return fetched;
    }
    // The provider could not say whether the kid is its own: an outage, never a sign-out.
    if (this.lastAttemptFailed) {
      throw new IdentityProviderUnavailableError('the identity provider keys cannot be fetched');
    }
    // Only a set fetched after this kid was asked for can tell it is not the provider's.
    if (this.fetchedAt >= askedAt && this.misses.size < MAX_MISSES) this.misses.add(name);
    throw unknownKey();
  }

  /**
   * Which set the keys come from: it changes with every fetch, and is -1 while the set is too
   * old to use. A result obtained with one generation's keys holds only while it is current.
   */
  get generation(): number {
    return this.usable() ? this.fetches : -1;
  }

  /** Stops the background refresh (application shutdown). */
  close(): void {
    clearTimeout(this.refreshTimer);
  }

  private usable(): boolean {
    return this.fetchedAt > 0 && this.now() - this.fetchedAt < this.staleLimitMs;
  }

  private lookup(kid: string | undefined): KeyObject | undefined {
    if (!this.usable()) return undefined;
    if (kid !== undefined) return this.keys.get(kid);
    return this.keys.size === 1 ? this.keys.values().next().value : this.keys.get('');
  }

  /** Joins the fetch in flight, or starts one if the interval allows; never throws. */
  private async fetchIfAllowed(): Promise<void> {
    if (
      this.inflight === null &&
      this.now() - this.lastAttemptAt >= this.options.refetchIntervalMs
    ) {
      this.inflight = this.fetch().finally(() => {
        this.inflight = null;
      });
    }
    if (this.inflight !== null) await this.inflight.catch(() => undefined);
  }

  private async fetch(): Promise<void> {
    this.lastAttemptAt = this.now();
    try {
      this.keys = await this.download();
      this.fetches += 1;
      this.fetchedAt = this.now();
      this.lastAttemptFailed = false;
      this.misses = new Set();
      this.scheduleRefresh(this.maxAgeMs * REFRESH_AHEAD);
    } catch (error) {
      this.lastAttemptFailed = true;
      // Keep the last good set; try again once the interval allows.
      this.scheduleRefresh(this.options.refetchIntervalMs);
      throw error;
    }
  }

  private scheduleRefresh(delayMs: number): void {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => {
      if (this.inflight !== null) return;
      this.inflight = this.fetch()
        .catch(() => undefined)
        .finally(() => {
          this.inflight = null;
        });
    }, delayMs);
    this.refreshTimer.unref();
  }

  private async download(): Promise<Map<string, KeyObject>> {
    const response = await fetch(this.options.uri, {
      headers: { accept: 'application/json' },
      redirect: 'error',
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (!response.ok) throw new Error(`the JWKS answered ${response.status}`);
    const text = await response.text();
    if (text.length > MAX_JWKS_BYTES) throw new Error('the JWKS is too large');
    const body = JSON.parse(text) as { keys?: unknown };
    if (!Array.isArray(body.keys)) throw new Error('the JWKS has no keys list');
    const keys = new Map<string, KeyObject>();
    for (const jwk of body.keys.slice(0, MAX_KEYS) as (JsonWebKey & { kid?: unknown })[]) {
      const key = this.signingKey(jwk);
      if (key !== null) keys.set(typeof jwk.kid === 'string' ? jwk.kid : '', key);
    }
    return keys;
  }

  /** A verification key of an allowed algorithm; null for anything else, broken keys included. */
  private signingKey(jwk: JsonWebKey & { alg?: unknown; use?: unknown }): KeyObject | null {
    if (typeof jwk !== 'object' || jwk === null) return null;
    if (jwk.use !== undefined && jwk.use !== 'sig') return null;
    if (typeof jwk.alg === 'string' && !this.options.algorithms.includes(jwk.alg)) return null;
    if (jwk.kty !== 'RSA' && jwk.kty !== 'EC') return null;
    let key: KeyObject;
    try {
      key = createPublicKey({ key: jwk, format: 'jwk' });
    } catch {
      return null;
    }
    // Node parses some malformed JWKs into keys nothing verifies with; weak keys are refused.
    const details = key.asymmetricKeyDetails;
    if (key.asymmetricKeyType === 'rsa') {
      return (details?.modulusLength ?? 0) >= MIN_RSA_BITS ? key : null;
    }
    return key.asymmetricKeyType === 'ec' && details?.namedCurve === 'prime256v1' ? key : null;
  }
}

function unknownKey(): InvalidBearerKeyError {
  return new InvalidBearerKeyError('no key of the identity provider matches the token');
}
