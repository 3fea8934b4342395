import { createHash, randomBytes } from 'node:crypto';

/** 256 random bits, as base64url: the whole token, which only its holder knows. */
export function newInvitationSecret(): { secret: string; hash: string } {
  const secret = randomBytes(32).toString('base64url');
  return { secret, hash: hashOf(secret) };
}

/**
 * The token handed to the invitee: the secret alone. It carries no id (DESIGN 8b): the
 * invitation is found by the secret's SHA-256, under a unique index, so a token says nothing of
 * how many invitations exist and no guess narrows the search.
 */
export function invitationToken(secret: string): string {
  return secret;
}

const TOKEN = /^(?:[1-9]\d{0,15}\.)?([A-Za-z0-9_-]{43})$/;

/**
 * The hash to look a token up by, or null when it cannot be one. Tokens issued before they lost
 * their id (`<id>.<secret>`) still work: their secret is what was hashed.
 */
export function tokenHashOf(token: string): string | null {
  const match = TOKEN.exec(token);
  return match === null ? null : hashOf(match[1]);
}

function hashOf(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
