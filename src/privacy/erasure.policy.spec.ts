import { organizationsLeftWithoutAdministrator, signInIsRecent } from './erasure.policy';

describe('erasure policy (DESIGN 15)', () => {
  it('names the organizations the person is the only active administrator of', () => {
    const administrators = new Map([
      [3, [7]],
      [1, [7, 8]],
      [2, [7]],
    ]);
    expect(organizationsLeftWithoutAdministrator(7, administrators)).toEqual([2, 3]);
    expect(organizationsLeftWithoutAdministrator(7, new Map([[1, [7, 9]]]))).toEqual([]);
    expect(organizationsLeftWithoutAdministrator(7, new Map())).toEqual([]);
  });

  it('takes a sign-in at most max_age old, never a token without auth_time', () => {
    const now = 1_800_000_000;
    expect(signInIsRecent(now - 300, now, 300)).toBe(true);
    expect(signInIsRecent(now - 301, now, 300)).toBe(false);
    expect(signInIsRecent(null, now, 300)).toBe(false);
    expect(signInIsRecent(now + 30, now, 300)).toBe(true);
    expect(signInIsRecent(now + 3600, now, 300)).toBe(false);
  });
});
