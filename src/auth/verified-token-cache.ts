/** Tokens kept at most, and the characters they may take together (4 MB: JWTs are ASCII). */
const MAX_TOKENS = 10_000;
const MAX_TOKEN_CHARACTERS = 4 * 1024 * 1024;
/** A longer token is verified every time: no client's token comes near it. */
const MAX_KEPT_TOKEN_LENGTH = 8192;

interface Verified<T> {
  value: T;
  expiresAtMs: number;
  keys: number;
}

/**
 * What verifying a token gave, kept by the token's exact text until the token expires, so that
 * a client sending the same token with each request pays for its signature and its parsing once.
 *
 * - Only a token that passed every check is kept. A hit is the same string: a token changed in
 *   any character, its signature included, misses and is verified in full.
 * - The expiry is checked again at every hit, on the wall clock, as jsonwebtoken checks `exp`.
 * - `keys` names the keys the token was verified with (a generation of an identity provider's
 *   key set): once they change, an entry verified with older ones no longer counts.
 * - Bounded in count and in characters; when full, the oldest entry goes. A plain Map: an LRU's
 *   bookkeeping on every hit cost more than re-verifying the few tokens it would save.
 * - Nothing here stands for a check against the database: a session's revocation is read with
 *   every request as before.
 */
export class VerifiedTokenCache<T extends object> {
  private readonly entries = new Map<string, Verified<T>>();
  private characters = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** `keys`: the current keys' generation, or how to tell it from what the token gave. */
  get(token: string, keys: number | ((value: T) => number) = 0): T | undefined {
    const entry = this.entries.get(token);
    if (entry === undefined) return undefined;
    const current = typeof keys === 'number' ? keys : keys(entry.value);
    if (entry.expiresAtMs <= this.now() || entry.keys !== current) {
      this.drop(token);
      return undefined;
    }
    return entry.value;
  }

  /** Keeps a verified token's result (frozen: every hit shares it) until `expiresAtSeconds` (its `exp`). */
  set(token: string, value: T, expiresAtSeconds: number, keys = 0): void {
    const expiresAtMs = expiresAtSeconds * 1000;
    if (!(expiresAtMs > this.now()) || token.length > MAX_KEPT_TOKEN_LENGTH) return;
    this.drop(token);
    while (
      this.entries.size >= MAX_TOKENS ||
      this.characters + token.length > MAX_TOKEN_CHARACTERS
    ) {
      this.drop(this.entries.keys().next().value as string);
    }
    this.entries.set(token, { value: Object.freeze(value), expiresAtMs, keys });
    this.characters += token.length;
  }

  get size(): number {
    return this.entries.size;
  }

  private drop(token: string): void {
    if (this.entries.delete(token)) this.characters -= token.length;
  }
}
