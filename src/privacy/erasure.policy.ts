/**
 * Who may be erased, and when (DESIGN 15). Pure: the erasure service calls them on rows it has
 * locked, and on the verified token's claims.
 */

/**
 * The organizations whose every active administrator is the person (the administrators of
 * each organization the person administers, locked): erasing them would leave those without.
 */
export function organizationsLeftWithoutAdministrator(
  userId: number,
  administrators: ReadonlyMap<number, readonly number[]>,
): number[] {
  return [...administrators]
    .filter(([, ids]) => ids.every((id) => id === userId))
    .map(([organizationId]) => organizationId)
    .sort((a, b) => a - b);
}

/**
 * Whether a token's `auth_time` is recent enough to erase oneself (RFC 9470's max_age): a
 * token without one never is; a clock up to a minute ahead is tolerated.
 */
export function signInIsRecent(
  authTime: number | null,
  nowSeconds: number,
  maxAgeSeconds: number,
): boolean {
  if (authTime === null) return false;
  const age = nowSeconds - authTime;
  return age <= maxAgeSeconds && age >= -60;
}
