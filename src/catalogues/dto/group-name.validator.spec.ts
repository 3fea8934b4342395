import { groupNameProblem } from './group-name.validator';

describe('groupNameProblem', () => {
  it.each([
    'A',
    'Day team',
    'x'.repeat(250),
    '\u{1F600}'.repeat(250),
    'Équipe de nuit',
    'Team\u00a0B', // a no-break space inside is fine
    '\u5C71\u7530',
  ])('accepts %p', (name) => {
    expect(groupNameProblem(name)).toBeNull();
  });

  it.each([
    ['an empty string', '', 'must be 1 to 250 characters long'],
    ['251 characters', 'x'.repeat(251), 'must be 1 to 250 characters long'],
    ['251 emoji', '\u{1F600}'.repeat(251), 'must be 1 to 250 characters long'],
    ['a blank name', '   ', 'must not start or end with whitespace'],
    ['a leading space', ' Day', 'must not start or end with whitespace'],
    ['a trailing space', 'Day ', 'must not start or end with whitespace'],
    ['a trailing tab', 'Day\t', 'must not start or end with whitespace'],
    ['a leading no-break space', '\u00a0Day', 'must not start or end with whitespace'],
    ['a newline inside', 'Day\nteam', 'must not contain control characters'],
    ['a NUL inside', 'Day\u0000team', 'must not contain control characters'],
    ['a lone surrogate', 'Day \uD83D team', 'must be well-formed Unicode'],
  ])('refuses %s', (_case, name, message) => {
    expect(groupNameProblem(name)).toBe(message);
  });

  it.each([null, undefined, 1, true, ['Day'], { name: 'Day' }])(
    'refuses %p as not a string',
    (value) => {
      expect(groupNameProblem(value)).toBe('must be a string');
    },
  );
});
