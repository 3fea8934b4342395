import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 256 random bits, as base64url: the part of the token only its holder knows. */
export function newInvitationSecret(): { secret: string; hash: string } {
  const secret = randomBytes(32).toString('base64url');
  return { secret, hash: hashOf(secret) };
}

/**
 * The token handed to the invitee: `<invitation id>.<secret>`. The id finds the row; the
 * secret is checked against its stored SHA-256 in constant time, so neither the lookup nor the
 * comparison tells a guesser how close it came.
 */
export function invitationToken(invitationId: number, secret: string): string {
  return `${invitationId}.${secret}`;
}

export function parseInvitationToken(token: string): { invitationId: number; secret: string } {
  const match = /^([1-9]\d{0,15})\.([A-Za-z0-9_-]{43})$/.exec(token);
  const invitationId = match === null ? NaN : Number(match[1]);
  return Number.isSafeInteger(invitationId)
    ? { invitationId, secret: (match as RegExpExecArray)[2] }
    : { invitationId: 0, secret: '' };
}

export function secretMatches(secret: string, storedHash: string): boolean {
  const expected = Buffer.from(storedHash, 'hex');
  const actual = createHash('sha256').update(secret).digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

function hashOf(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
