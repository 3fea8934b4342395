import { emailKey } from './email-key';

describe('emailKey', () => {
  it('folds case, trims and composes to NFC', () => {
    expect(emailKey('  Victim@Corp.Example ')).toBe('victim@corp.example');
    // "é" as e + combining acute (NFD) and as one code point (NFC) are one key.
    expect(emailKey('ren\u0065\u0301@example.com')).toBe(emailKey('ren\u00e9@example.com'));
  });

  it('converts the domain to ASCII, so a look-alike domain is another key', () => {
    expect(emailKey('victim@cörp.example')).toBe('victim@xn--crp-sna.example');
    expect(emailKey('victim@cörp.example')).not.toBe(emailKey('victim@corp.example'));
    expect(emailKey('Victim@CÖRP.example')).toBe(emailKey('victim@cörp.example'));
  });

  it('keeps a non-ASCII local part as it is, lowercased', () => {
    expect(emailKey('Jürgen@example.com')).toBe('jürgen@example.com');
    expect(emailKey('jurgen@example.com')).not.toBe(emailKey('jürgen@example.com'));
  });

  it.each([
    '',
    'no-at-sign',
    '@example.com',
    'user@',
    'user@localhost',
    'user@-bad.example',
    'user@bad-.example',
    'user@exa mple.com',
    'us er@example.com',
    'user\u0000@example.com',
    'user<x>@example.com',
    `${'a'.repeat(65)}@example.com`,
    `user@${'a'.repeat(64)}.example`,
    `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.${'e'.repeat(63)}.com`,
  ])('refuses %j', (email) => {
    expect(emailKey(email)).toBeNull();
  });

  describe('look-alike local parts (the audit of 2026-12-07)', () => {
    it.each([
      ['the Kelvin sign K', '\u212Aate@example.com', 'kate@example.com'],
      ['the Angstrom sign', '\u212Bsa@example.com', '\u00e5sa@example.com'],
      ['a dotless i (toLowerCase of İ adds a dot)', '\u0130da@example.com', 'ida@example.com'],
      ['a fullwidth k', '\uFF4Bate@example.com', 'kate@example.com'],
    ])('keeps %s apart from its look-alike', (_label, lookAlike, victim) => {
      expect(emailKey(lookAlike)).not.toBeNull();
      expect(emailKey(lookAlike)).not.toBe(emailKey(victim));
    });

    it('still composes what NFC composes, and lowercases ASCII letters only', () => {
      expect(emailKey('Jose\u0301@Example.com')).toBe('jos\u00e9@example.com');
      expect(emailKey('Jos\u00e9@example.com')).toBe('jos\u00e9@example.com');
      expect(emailKey('\u00c5SA@example.com')).toBe('\u00c5sa@example.com');
    });
  });
});
