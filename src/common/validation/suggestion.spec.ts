import { closestName, editDistance } from './suggestion';

const UPDATE_FIELDS = ['firstName', 'lastName', 'professionId', 'scope', 'permissions'];

describe('editDistance', () => {
  it.each([
    ['firstName', 'firstName', 0],
    ['fristName', 'firstName', 1],
    ['firstNam', 'firstName', 1],
    ['frstNme', 'firstName', 2],
    ['', 'abc', 3],
    ['scope', 'group', 4],
  ])('%s -> %s is %i', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
  });
});

describe('closestName', () => {
  it.each([
    ['fristName', 'firstName'],
    ['first_name', 'firstName'],
    ['FirstName', 'firstName'],
    ['lastname', 'lastName'],
    ['profesionId', 'professionId'],
    ['scop', 'scope'],
    ['permission', 'permissions'],
  ])('suggests %s -> %s', (unknown, suggestion) => {
    expect(closestName(unknown, UPDATE_FIELDS)).toBe(suggestion);
  });

  it.each(['email', 'name', 'id', 'role', 'x'.repeat(100)])(
    'suggests nothing for %s',
    (unknown) => {
      expect(closestName(unknown, UPDATE_FIELDS)).toBeNull();
    },
  );

  it('prefers the closest of two candidates', () => {
    expect(closestName('reed', ['read', 'manage', 'group'])).toBe('read');
  });
});
