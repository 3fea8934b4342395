import type { Membership } from '../users-organizations/membership';

/** Who is calling, resolved fresh on every request by the guard chain; never from a cache. */
export interface AuthContext {
  user: { id: number; subject: string };
  /** Present on routes that require the session token. */
  session: { id: string; organizationId: number };
  /** The caller's active membership in the session's organization. */
  membership: Membership;
}

/** What bearer-only routes know: the identity provider's user, without an organization. */
export interface BearerContext {
  user: { id: number; subject: string };
}
