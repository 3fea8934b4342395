import { displayNameProblem, toNfc } from './display-name';

describe('displayNameProblem', () => {
  it.each([
    ['Clinique Saint-Roch'],
    ['Équipe de nuit'],
    ['😀'.repeat(250)],
    ['👩‍⚕️ Soins'], // a ZWJ inside an emoji sequence
    ['👨🏽‍💻'],
    ['العربية'],
  ])('accepts %j', (name) => {
    expect(displayNameProblem(name, 250)).toBeNull();
  });

  it.each([
    ['', 'must be 1 to 250 characters long'],
    ['a'.repeat(251), 'must be 1 to 250 characters long'],
    ['x\u0000y', 'must not contain control characters'],
    ['Tab\there', 'must not contain control characters'],
    ['Night\u202Eteam', 'must not contain bidirectional control characters'],
    ['a\u2066b\u2069', 'must not contain bidirectional control characters'],
    ['a\u200Fb', 'must not contain bidirectional control characters'],
    ['a\u061Cb', 'must not contain bidirectional control characters'],
    ['Day\u200Bteam', 'must not contain zero-width characters'],
    ['Day\u200Cteam', 'must not contain zero-width characters'],
    ['\uFEFFDay', 'must not contain zero-width characters'],
    ['Day\u200Dteam', 'must not contain zero-width characters'],
    ['😀\u200D', 'must not contain zero-width characters'],
    [' Day', 'must not start or end with whitespace'],
    ['\uD800x', 'must be well-formed Unicode'],
  ])('refuses %j: %s', (name, problem) => {
    expect(displayNameProblem(name, 250)).toBe(problem);
  });

  it('refuses what is not a string', () => {
    expect(displayNameProblem(42, 250)).toBe('must be a string');
  });
});

describe('toNfc', () => {
  it('composes what NFD decomposed, so both spellings are one name', () => {
    expect(toNfc('Cafe\u0301')).toBe('Caf\u00E9');
    expect(toNfc('Caf\u00E9')).toBe('Caf\u00E9');
  });

  it('leaves other values to the validators', () => {
    expect(toNfc(7)).toBe(7);
    expect(toNfc('\uD800')).toBe('\uD800');
  });
});
