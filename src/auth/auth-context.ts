/**
 * Who is calling, resolved fresh on every request by the guard chain; never from a cache. `M` is
 * the membership type of the module that resolves sessions (SessionContextResolver): the users
 * organizations module exports `MemberContext`, this context with its `Membership`.
 */
export interface AuthContext<M = unknown> {
  user: { id: number; issuer: string; subject: string };
  /** Present on routes that require the session token; `mfa`: opened with a second factor. */
  session: { id: string; organizationId: number; mfa: boolean };
  /** The caller's active membership in the session's organization. */
  membership: M;
  /** The request's id, recorded with every change it makes. */
  requestId: string;
  /**
   * The membership (active or deleted) of the route's target user in the session organization,
   * read with the session; null when there is none; absent when the route names no target.
   * Not locked: a writer must still condition its write on the version it saw.
   */
  target?: M | null;
}

/** What bearer-only routes know: the identity provider's user, without an organization. */
export interface BearerContext {
  user: { id: number; issuer: string; subject: string };
  /**
   * The normalized key (common/validation/email-key.ts) of the email the access token vouches
   * for (`email_verified: true`); null when it vouches for none.
   */
  verifiedEmailKey: string | null;
  /** Whether the access token shows a second factor (second-factor.ts). */
  mfa: boolean;
  /** The token's `auth_time` (seconds since the epoch): when the person last signed in. */
  authTime: number | null;
  requestId: string;
}
