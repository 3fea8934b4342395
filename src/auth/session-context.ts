/** A session row with what the guard judges of its user and organization. */
export interface SessionRecord {
  sessionId: string;
  userId: number;
  organizationId: number;
  expiresAt: Date;
  revokedAt: Date | null;
  issuer: string;
  subject: string;
  userDeleted: boolean;
  organizationArchived: boolean;
  /** Opened with a second factor (DESIGN 15). */
  mfa: boolean;
}

/** The caller's place in the session's organization, as the memberships module judges it. */
export interface CallerStanding<M> {
  /** The caller's active membership. */
  membership: M;
  administrator: boolean;
}

/** Everything one request's authentication needs, read in a single statement. */
export interface ResolvedSessionContext<M = unknown> {
  session: SessionRecord;
  /** Null when the caller is no active member of the session's organization. */
  caller: CallerStanding<M> | null;
  /** The route's target user's membership (active or not; null if none), when one was asked for. */
  target?: M | null;
}

/**
 * How the session guard reads a session with the caller's (and the target's) membership, and
 * how a session is allowed to open. Auth owns sessions and knows nothing of memberships: the
 * memberships module implements this port (one statement per request) and the composition root
 * binds it with `AuthModule.forRoot({ sessionContext })`, so imports point one way only.
 */
export abstract class SessionContextResolver<M = unknown> {
  abstract resolve(
    sessionId: string,
    targetUserId?: number,
  ): Promise<ResolvedSessionContext<M> | null>;

  /**
   * Whether the user may open a session in the organization: null unless an active member;
   * else whether the organization is archived and requires a second factor.
   */
  abstract sessionAdmission(
    userId: number,
    organizationId: number,
  ): Promise<{ archived: boolean; requireMfa: boolean } | null>;
}
