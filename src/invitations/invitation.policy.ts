import type { Invitation } from './invitation';

/**
 * Accepting by id: the sign-in's verified email, normalized, must be the invited address byte
 * for byte (DESIGN 8b). No verified email, no match: look-alike addresses have other keys.
 */
export function canAcceptByEmail(
  invitation: Pick<Invitation, 'emailKey'>,
  verifiedEmailKey: string | null,
): boolean {
  return verifiedEmailKey !== null && verifiedEmailKey === invitation.emailKey;
}
