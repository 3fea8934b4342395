import { invitationToken, newInvitationSecret, tokenHashOf } from './invitation-token';

describe('invitation tokens', () => {
  it('are the secret alone, looked up by its hash: no sequential id in them', () => {
    const { secret, hash } = newInvitationSecret();
    const token = invitationToken(secret);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(token).not.toMatch(/\./);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).not.toContain(secret);
    expect(tokenHashOf(token)).toBe(hash);
    expect(tokenHashOf(newInvitationSecret().secret)).not.toBe(hash);
  });

  it('still finds a token issued with its id in front (id.secret)', () => {
    const { secret, hash } = newInvitationSecret();
    expect(tokenHashOf(`42.${secret}`)).toBe(hash);
  });

  it.each([
    '',
    '42',
    '42.',
    '.abc',
    '0.' + 'a'.repeat(43),
    'a'.repeat(42),
    'a'.repeat(44),
    '-1.' + 'a'.repeat(43),
    'a'.repeat(42) + '=',
    '99999999999999999.' + 'a'.repeat(43),
  ])('looks %j up as no invitation', (token) => {
    expect(tokenHashOf(token)).toBeNull();
  });
});
