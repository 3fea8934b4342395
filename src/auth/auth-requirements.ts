export const AUTH_REQUIREMENTS = 'users-organizations:auth-requirements';

export interface AuthRequirements {
  /** Requires `x-session-token` and an active membership (default true). */
  session: boolean;
  /** Requires the caller to administer the session's organization (default false). */
  administrator: boolean;
}
