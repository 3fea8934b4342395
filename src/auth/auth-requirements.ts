export const AUTH_REQUIREMENTS = 'users-organizations:auth-requirements';

export interface AuthRequirements {
  /** Requires `x-session-token` and an active membership (default true). */
  session: boolean;
  /** Requires the caller to administer the session's organization (default false). */
  administrator: boolean;
  /**
   * The path parameter naming a target user (`me` or an id). The session guard then reads the
   * target's membership in the same statement as the session and the caller's membership.
   */
  targetParam?: string;
  /**
   * On bearer-only routes: the token's user must exist already (404 USER_NOT_FOUND otherwise)
   * instead of being created at this first sign-in; for routes about a person's existing data.
   */
  existingUser?: boolean;
}
