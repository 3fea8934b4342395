import { Scope } from './entities/membership.entity';
import {
  Membership,
  effectiveChanges,
  etagOf,
  ifMatchSatisfied,
  isEmpty,
  sortedIds,
} from './membership';

function membership(overrides: Partial<Membership> = {}): Membership {
  return {
    id: 7,
    userId: 2,
    organizationId: 1,
    scope: Scope.Member,
    firstName: 'Bob',
    lastName: 'Durand',
    professionId: 1,
    permissions: { group: 1, read: [1, 2], manage: [3] },
    version: 4,
    createdAt: new Date('2024-01-01T00:00:00.000Z'),
    updatedAt: new Date('2024-01-02T00:00:00.000Z'),
    deletedAt: null,
    ...overrides,
  };
}

describe('sortedIds', () => {
  it('sorts numerically, not lexicographically', () => {
    expect(sortedIds([10, 9, 100, 1, 2])).toEqual([1, 2, 9, 10, 100]);
  });

  it('handles negatives and large safe integers', () => {
    expect(sortedIds([5, -3, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 0])).toEqual([
      Number.MIN_SAFE_INTEGER,
      -3,
      0,
      5,
      Number.MAX_SAFE_INTEGER,
    ]);
  });

  it('returns a new array and leaves its input untouched', () => {
    const input = Object.freeze([3, 1, 2]);
    const result = sortedIds(input);
    expect(result).toEqual([1, 2, 3]);
    expect(result).not.toBe(input);
    expect(input).toEqual([3, 1, 2]);
  });

  it('returns an empty array for an empty input', () => {
    expect(sortedIds([])).toEqual([]);
  });
});

describe('effectiveChanges', () => {
  it('is empty when nothing is requested', () => {
    const changes = effectiveChanges(membership(), {});
    expect(changes).toEqual({});
    expect(isEmpty(changes)).toBe(true);
  });

  it('drops every requested value equal to the stored one (no-op)', () => {
    const current = membership();
    const changes = effectiveChanges(current, {
      firstName: 'Bob',
      lastName: 'Durand',
      professionId: 1,
      scope: Scope.Member,
      permissions: { group: 1, read: [1, 2], manage: [3] },
    });
    expect(changes).toEqual({});
    expect(isEmpty(changes)).toBe(true);
  });

  it('treats permissions sent in another order as equal to the stored sorted ones', () => {
    const current = membership({ permissions: { group: 1, read: [1, 2, 10], manage: [3, 4] } });
    const changes = effectiveChanges(current, {
      permissions: { group: 1, read: [10, 2, 1], manage: [4, 3] },
    });
    expect(isEmpty(changes)).toBe(true);
  });

  it('keeps only the fields that differ', () => {
    const changes = effectiveChanges(membership(), {
      firstName: 'Bob',
      lastName: 'Dupont',
      scope: Scope.Member,
    });
    expect(changes).toEqual({ lastName: 'Dupont' });
    expect(isEmpty(changes)).toBe(false);
  });

  it('keeps a changed firstName', () => {
    expect(effectiveChanges(membership(), { firstName: 'Robert' })).toEqual({
      firstName: 'Robert',
    });
  });

  it('is case- and normalisation-sensitive for names', () => {
    expect(effectiveChanges(membership(), { firstName: 'bob' })).toEqual({ firstName: 'bob' });
    const composed = 'Ren\u00e9';
    const decomposed = 'Rene\u0301';
    expect(
      effectiveChanges(membership({ firstName: composed }), { firstName: decomposed }),
    ).toEqual({ firstName: decomposed });
  });

  it('keeps professionId null when a profession is stored (clearing it)', () => {
    const changes = effectiveChanges(membership({ professionId: 4 }), { professionId: null });
    expect(changes).toEqual({ professionId: null });
    expect('professionId' in changes).toBe(true);
  });

  it('drops professionId null when none is stored', () => {
    expect(effectiveChanges(membership({ professionId: null }), { professionId: null })).toEqual(
      {},
    );
  });

  it('keeps a professionId set where none was stored', () => {
    expect(effectiveChanges(membership({ professionId: null }), { professionId: 2 })).toEqual({
      professionId: 2,
    });
  });

  it('keeps a scope change both ways', () => {
    expect(effectiveChanges(membership(), { scope: Scope.Administrator })).toEqual({
      scope: Scope.Administrator,
    });
    expect(
      effectiveChanges(membership({ scope: Scope.Administrator }), { scope: Scope.Member }),
    ).toEqual({ scope: Scope.Member });
  });

  it('returns changed permissions with read and manage sorted', () => {
    const changes = effectiveChanges(membership(), {
      permissions: { group: 2, read: [30, 4, 12], manage: [9, 1] },
    });
    expect(changes).toEqual({ permissions: { group: 2, read: [4, 12, 30], manage: [1, 9] } });
  });

  it('does not mutate the requested permission arrays', () => {
    const read = [3, 1, 2];
    const manage = [2, 1];
    effectiveChanges(membership(), { permissions: { group: 1, read, manage } });
    expect(read).toEqual([3, 1, 2]);
    expect(manage).toEqual([2, 1]);
  });

  it('detects a group change alone', () => {
    expect(
      effectiveChanges(membership(), { permissions: { group: 2, read: [2, 1], manage: [3] } }),
    ).toEqual({ permissions: { group: 2, read: [1, 2], manage: [3] } });
  });

  it('detects clearing the group (number -> null)', () => {
    expect(
      effectiveChanges(membership(), { permissions: { group: null, read: [1, 2], manage: [3] } }),
    ).toEqual({ permissions: { group: null, read: [1, 2], manage: [3] } });
  });

  it('detects setting a group where none was (null -> number)', () => {
    const current = membership({ permissions: { group: null, read: [], manage: [] } });
    expect(effectiveChanges(current, { permissions: { group: 5, read: [], manage: [] } })).toEqual({
      permissions: { group: 5, read: [], manage: [] },
    });
  });

  it('detects an added read id', () => {
    expect(
      effectiveChanges(membership(), { permissions: { group: 1, read: [1, 2, 3], manage: [3] } }),
    ).toEqual({ permissions: { group: 1, read: [1, 2, 3], manage: [3] } });
  });

  it('detects a removed read id', () => {
    expect(
      effectiveChanges(membership(), { permissions: { group: 1, read: [2], manage: [3] } }),
    ).toEqual({ permissions: { group: 1, read: [2], manage: [3] } });
  });

  it('detects a replaced id with the same length', () => {
    expect(
      effectiveChanges(membership(), { permissions: { group: 1, read: [1, 2], manage: [4] } }),
    ).toEqual({ permissions: { group: 1, read: [1, 2], manage: [4] } });
  });

  it('detects read and manage swapped', () => {
    const current = membership({ permissions: { group: 1, read: [1], manage: [2] } });
    expect(
      effectiveChanges(current, { permissions: { group: 1, read: [2], manage: [1] } }),
    ).toEqual({ permissions: { group: 1, read: [2], manage: [1] } });
  });

  it('detects emptying both lists', () => {
    expect(
      effectiveChanges(membership(), { permissions: { group: 1, read: [], manage: [] } }),
    ).toEqual({ permissions: { group: 1, read: [], manage: [] } });
  });

  it('does not return the requested permissions object itself', () => {
    const requested = { group: 2, read: [1], manage: [] };
    const changes = effectiveChanges(membership(), { permissions: requested });
    expect(changes.permissions).toEqual(requested);
    expect(changes.permissions).not.toBe(requested);
  });

  it('combines profile and permission changes', () => {
    expect(
      effectiveChanges(membership(), {
        firstName: 'Robert',
        professionId: 1,
        permissions: { group: 1, read: [2, 1], manage: [5, 3] },
      }),
    ).toEqual({ firstName: 'Robert', permissions: { group: 1, read: [1, 2], manage: [3, 5] } });
  });
});

describe('isEmpty', () => {
  it('is false when any key is present, even with a null value', () => {
    expect(isEmpty({ professionId: null })).toBe(false);
  });
});

describe('etagOf', () => {
  it('is a strong, quoted tag built from the id and version', () => {
    const etag = etagOf({ id: 7, version: 4 });
    expect(etag).toBe('"m7.v4"');
    expect(etag.startsWith('W/')).toBe(false);
  });

  it('changes with the version', () => {
    expect(etagOf({ id: 7, version: 5 })).not.toBe(etagOf({ id: 7, version: 4 }));
  });

  it('differs between memberships at the same version', () => {
    expect(etagOf({ id: 8, version: 4 })).not.toBe(etagOf({ id: 7, version: 4 }));
  });

  it('cannot collide by concatenation (id 1 v 12 vs id 11 v 2)', () => {
    expect(etagOf({ id: 1, version: 12 })).not.toBe(etagOf({ id: 11, version: 2 }));
  });
});

describe('ifMatchSatisfied', () => {
  const current = etagOf({ id: 7, version: 4 });

  it('is satisfied when the header is absent', () => {
    expect(ifMatchSatisfied(undefined, current)).toBe(true);
  });

  it('is satisfied by *', () => {
    expect(ifMatchSatisfied('*', current)).toBe(true);
    expect(ifMatchSatisfied('  *  ', current)).toBe(true);
  });

  it('is satisfied by the exact current tag', () => {
    expect(ifMatchSatisfied('"m7.v4"', current)).toBe(true);
    expect(ifMatchSatisfied(' "m7.v4" ', current)).toBe(true);
  });

  it('is not satisfied by an older version', () => {
    expect(ifMatchSatisfied('"m7.v3"', current)).toBe(false);
  });

  it("is not satisfied by another membership's tag", () => {
    expect(ifMatchSatisfied('"m8.v4"', current)).toBe(false);
  });

  it('is satisfied when any tag of a list matches', () => {
    expect(ifMatchSatisfied('"m7.v2", "m7.v4"', current)).toBe(true);
    expect(ifMatchSatisfied('"m7.v4","m7.v9"', current)).toBe(true);
    expect(ifMatchSatisfied('"a" ,  "b", "m7.v4"', current)).toBe(true);
  });

  it('is not satisfied when no tag of a list matches', () => {
    expect(ifMatchSatisfied('"m7.v2", "m7.v3"', current)).toBe(false);
  });

  it('never matches a weak tag, even with the same opaque value', () => {
    expect(ifMatchSatisfied('W/"m7.v4"', current)).toBe(false);
    expect(ifMatchSatisfied('"m7.v1", W/"m7.v4"', current)).toBe(false);
  });

  it('still matches a strong tag listed after a weak one', () => {
    expect(ifMatchSatisfied('W/"m7.v4", "m7.v4"', current)).toBe(true);
  });

  it('is not satisfied by an unquoted tag', () => {
    expect(ifMatchSatisfied('m7.v4', current)).toBe(false);
  });

  it('is not satisfied by garbage', () => {
    expect(ifMatchSatisfied('', current)).toBe(false);
    expect(ifMatchSatisfied('   ', current)).toBe(false);
    expect(ifMatchSatisfied('garbage', current)).toBe(false);
    expect(ifMatchSatisfied('"', current)).toBe(false);
    expect(ifMatchSatisfied('""', current)).toBe(false);
    expect(ifMatchSatisfied('"m7.v4', current)).toBe(false);
    expect(ifMatchSatisfied('**', current)).toBe(false);
    expect(ifMatchSatisfied('"*"', current)).toBe(false);
  });

  // RFC 9110: weak = %s"W/" (case-sensitive). `w/"..."` is not a strong tag: it is either a
  // (mistyped) weak tag or an invalid header, and neither may satisfy a strong comparison.
  it('does not treat a lowercase w/ prefix as a strong tag', () => {
    expect(ifMatchSatisfied('w/"m7.v4"', current)).toBe(false);
  });

  it('does not find the current tag inside garbage', () => {
    expect(ifMatchSatisfied('junk"m7.v4"', current)).toBe(false);
    expect(ifMatchSatisfied('"m7.v4"junk', current)).toBe(false);
    expect(ifMatchSatisfied('<"m7.v4">', current)).toBe(false);
  });

  it('does not match a tag that merely contains the current one', () => {
    expect(ifMatchSatisfied('"m7.v40"', current)).toBe(false);
    expect(ifMatchSatisfied('"xm7.v4"', current)).toBe(false);
  });
});
