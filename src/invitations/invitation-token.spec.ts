import {
  invitationToken,
  newInvitationSecret,
  parseInvitationToken,
  secretMatches,
} from './invitation-token';

describe('invitation tokens', () => {
  it('round-trips: the secret matches its own hash only', () => {
    const { secret, hash } = newInvitationSecret();
    const other = newInvitationSecret();
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).not.toContain(secret);
    expect(secretMatches(secret, hash)).toBe(true);
    expect(secretMatches(other.secret, hash)).toBe(false);
    expect(secretMatches(secret.slice(1) + 'A', hash)).toBe(false);
  });

  it('parses what it issues', () => {
    const { secret } = newInvitationSecret();
    expect(parseInvitationToken(invitationToken(42, secret))).toEqual({
      invitationId: 42,
      secret,
    });
  });

  it.each([
    '',
    '42',
    '42.',
    '.abc',
    '0.' + 'a'.repeat(43),
    '42.' + 'a'.repeat(42),
    '-1.' + 'a'.repeat(43),
    '42.' + 'a'.repeat(42) + '=',
    '99999999999999999.' + 'a'.repeat(43),
  ])('parses %j as no invitation', (token) => {
    expect(parseInvitationToken(token).invitationId).toBe(0);
  });

  it('never matches a malformed stored hash', () => {
    expect(secretMatches('anything', '')).toBe(false);
    expect(secretMatches('anything', 'zz')).toBe(false);
  });
});
