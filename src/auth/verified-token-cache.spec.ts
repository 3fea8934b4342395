import { VerifiedTokenCache } from './verified-token-cache';

describe('VerifiedTokenCache', () => {
  let now: number;
  const cache = () => new VerifiedTokenCache<{ subject: string }>(() => now);
  const EXP = 1_000_000;

  beforeEach(() => {
    now = (EXP - 60) * 1000;
  });

  it('gives the result of a token verified before, until its exp', () => {
    const tokens = cache();
    tokens.set('token-a', { subject: 'alice' }, EXP);
    expect(tokens.get('token-a')).toEqual({ subject: 'alice' });
    now = EXP * 1000 - 1;
    expect(tokens.get('token-a')).toEqual({ subject: 'alice' });
    now = EXP * 1000;
    expect(tokens.get('token-a')).toBeUndefined();
    // Dropped, not only hidden: the clock going back does not bring it back.
    now = (EXP - 60) * 1000;
    expect(tokens.get('token-a')).toBeUndefined();
  });

  it('misses a token that differs in any character', () => {
    const tokens = cache();
    tokens.set('header.payload.signature', { subject: 'alice' }, EXP);
    expect(tokens.get('header.payload.signaturE')).toBeUndefined();
    expect(tokens.get('header.payload.signature ')).toBeUndefined();
    expect(tokens.get('header.payload')).toBeUndefined();
  });

  it('drops a result verified with keys that are no longer current', () => {
    const tokens = cache();
    tokens.set('token-a', { subject: 'alice' }, EXP, 3);
    expect(tokens.get('token-a', 3)).toEqual({ subject: 'alice' });
    expect(tokens.get('token-a', 4)).toBeUndefined();
    expect(tokens.get('token-a', 3)).toBeUndefined();
  });

  it('keeps neither an expired token nor an oversized one', () => {
    const tokens = cache();
    tokens.set('expired', { subject: 'alice' }, now / 1000);
    tokens.set('x'.repeat(8193), { subject: 'alice' }, EXP);
    expect(tokens.size).toBe(0);
  });

  it('hands out a frozen result: no caller can change what the next one gets', () => {
    const tokens = cache();
    tokens.set('token-a', { subject: 'alice' }, EXP);
    const first = tokens.get('token-a') as { subject: string };
    expect(Object.isFrozen(first)).toBe(true);
    expect(() => {
      first.subject = 'mallory';
    }).toThrow(TypeError);
    expect(tokens.get('token-a')).toEqual({ subject: 'alice' });
  });

  it('holds at most 10,000 tokens, dropping the oldest', () => {
    const tokens = cache();
    for (let index = 0; index < 10_000; index++)
      tokens.set(`token-${index}`, { subject: 's' }, EXP);
    expect(tokens.get('token-0')).toBeDefined();
    tokens.set('token-10000', { subject: 's' }, EXP);
    expect(tokens.size).toBe(10_000);
    expect(tokens.get('token-0')).toBeUndefined();
    expect(tokens.get('token-1')).toBeDefined();
    expect(tokens.get('token-10000')).toBeDefined();
  });

  it('holds at most 4 MB of token text', () => {
    const tokens = cache();
    const long = (index: number) => `${index}:`.padEnd(8000, 'x');
    for (let index = 0; index < 600; index++) tokens.set(long(index), { subject: 's' }, EXP);
    expect(tokens.size).toBe(Math.floor((4 * 1024 * 1024) / 8000));
    expect(tokens.get(long(0))).toBeUndefined();
    expect(tokens.get(long(599))).toBeDefined();
  });
});
