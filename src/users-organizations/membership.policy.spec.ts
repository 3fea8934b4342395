import { ErrorCode } from '../common/errors/error-code';
import { Scope } from './entities/membership.entity';
import { Membership, MembershipChanges, Permissions } from './membership';
import {
  administerGrant,
  canReadMembership,
  canUpdateProfile,
  groupGrant,
  isAdministrator,
  profileGrant,
  readGrant,
  removesLastAdministrator,
  updateDenial,
} from './membership.policy';

type Party = Pick<Membership, 'userId' | 'scope' | 'permissions'>;

function party(userId: number, scope: Scope, permissions: Partial<Permissions> = {}): Party {
  return {
    userId,
    scope,
    permissions: { group: null, read: [], manage: [], ...permissions },
  };
}

const DAY = 1;
const NIGHT = 2;
const OTHER = 3;

// The demo organization of DESIGN section 9, reduced to what the policies look at.
const alice = party(1, Scope.Administrator, {
  group: DAY,
  read: [DAY, NIGHT],
  manage: [DAY, NIGHT],
});
const bob = party(2, Scope.Member, { group: DAY, read: [DAY], manage: [] });
const carol = party(3, Scope.Member, { group: NIGHT, read: [DAY, NIGHT], manage: [DAY] });
const reader = party(6, Scope.Member, { group: OTHER, read: [NIGHT], manage: [] });
const manager = party(7, Scope.Member, { group: OTHER, read: [], manage: [NIGHT] });
const loner = party(8, Scope.Member, { group: OTHER, read: [OTHER], manage: [OTHER] });
const ungrouped = party(9, Scope.Member, { group: null, read: [], manage: [] });
const bareAdmin = party(10, Scope.Administrator, { group: null, read: [], manage: [] });

describe('isAdministrator', () => {
  it('is true for scope 1', () => {
    expect(isAdministrator({ scope: Scope.Administrator })).toBe(true);
  });

  it('is false for scope 2', () => {
    expect(isAdministrator({ scope: Scope.Member })).toBe(false);
  });

  it('is false for any other value (no truthiness shortcut)', () => {
    expect(isAdministrator({ scope: 0 as Scope })).toBe(false);
    expect(isAdministrator({ scope: 3 as Scope })).toBe(false);
    expect(isAdministrator({ scope: '1' as unknown as Scope })).toBe(false);
  });
});

describe('canReadMembership', () => {
  it('lets a member read itself, even with no group and empty lists', () => {
    expect(canReadMembership(ungrouped, ungrouped)).toBe(true);
    expect(canReadMembership(bob, bob)).toBe(true);
  });

  it('recognises self by userId, not by object identity', () => {
    expect(canReadMembership(ungrouped, party(9, Scope.Member))).toBe(true);
  });

  it('lets an administrator read anyone, whatever its own lists hold', () => {
    expect(canReadMembership(alice, bob)).toBe(true);
    expect(canReadMembership(bareAdmin, carol)).toBe(true);
    expect(canReadMembership(bareAdmin, ungrouped)).toBe(true);
    expect(canReadMembership(bareAdmin, alice)).toBe(true);
  });

  it('lets a member read a target whose group is in its read list', () => {
    expect(canReadMembership(reader, carol)).toBe(true);
    expect(canReadMembership(bob, alice)).toBe(true);
    expect(canReadMembership(carol, bob)).toBe(true);
  });

  it('lets a member read a target whose group is in its manage list only', () => {
    expect(canReadMembership(manager, carol)).toBe(true);
  });

  it("refuses a member whose read and manage lists do not hold the target's group", () => {
    expect(canReadMembership(bob, carol)).toBe(false);
    expect(canReadMembership(reader, bob)).toBe(false);
    expect(canReadMembership(loner, alice)).toBe(false);
  });

  it("does not count the actor's own group as a read grant", () => {
    const sameGroupNoLists = party(11, Scope.Member, { group: DAY, read: [], manage: [] });
    expect(canReadMembership(sameGroupNoLists, bob)).toBe(false);
  });

  it('refuses a member reading another member who has no group', () => {
    expect(canReadMembership(carol, ungrouped)).toBe(false);
    expect(canReadMembership(loner, ungrouped)).toBe(false);
  });

  it('refuses a member with no lists at all reading someone else', () => {
    expect(canReadMembership(ungrouped, bob)).toBe(false);
  });
});

describe('canUpdateProfile', () => {
  it('lets a member update its own profile', () => {
    expect(canUpdateProfile(bob, bob)).toBe(true);
    expect(canUpdateProfile(ungrouped, ungrouped)).toBe(true);
  });

  it('lets an administrator update anyone', () => {
    expect(canUpdateProfile(alice, carol)).toBe(true);
    expect(canUpdateProfile(bareAdmin, ungrouped)).toBe(true);
  });

  it("lets a member whose manage list holds the target's group update it", () => {
    expect(canUpdateProfile(carol, bob)).toBe(true);
    expect(canUpdateProfile(manager, carol)).toBe(true);
  });

  it('refuses a member whose read list (but not manage) holds the target group', () => {
    expect(canUpdateProfile(reader, carol)).toBe(false);
    expect(canUpdateProfile(bob, alice)).toBe(false);
  });

  it("refuses a member whose manage list does not hold the target's group", () => {
    expect(canUpdateProfile(carol, party(12, Scope.Member, { group: NIGHT }))).toBe(false);
    expect(canUpdateProfile(loner, bob)).toBe(false);
  });

  it('refuses a member updating a target with no group, even with a full manage list', () => {
    const wide = party(13, Scope.Member, { group: DAY, manage: [DAY, NIGHT, OTHER] });
    expect(canUpdateProfile(wide, ungrouped)).toBe(false);
  });
});

describe('updateDenial', () => {
  const profileFields: [string, MembershipChanges][] = [
    ['firstName', { firstName: 'X' }],
    ['lastName', { lastName: 'Y' }],
    ['professionId', { professionId: 2 }],
    ['professionId null', { professionId: null }],
  ];

  it.each(profileFields)('allows a member its own %s', (_name, changes) => {
    expect(updateDenial(bob, bob, changes)).toBeNull();
  });

  it.each(profileFields)('allows an administrator to change %s of anyone', (_name, changes) => {
    expect(updateDenial(alice, bob, changes)).toBeNull();
    expect(updateDenial(bareAdmin, ungrouped, changes)).toBeNull();
  });

  it.each(profileFields)("allows a manager of the target's group to change %s", (_n, changes) => {
    expect(updateDenial(carol, bob, changes)).toBeNull();
  });

  it.each(profileFields)('refuses %s from a member who may only read the target', (_n, changes) => {
    expect(updateDenial(reader, carol, changes)).toBe(ErrorCode.PROFILE_CHANGE_FORBIDDEN);
  });

  it.each(profileFields)('refuses %s from an unrelated member', (_name, changes) => {
    expect(updateDenial(bob, carol, changes)).toBe(ErrorCode.PROFILE_CHANGE_FORBIDDEN);
  });

  it('refuses a profile change on a target with no group from a non-admin manager', () => {
    expect(updateDenial(carol, ungrouped, { firstName: 'Z' })).toBe(
      ErrorCode.PROFILE_CHANGE_FORBIDDEN,
    );
  });

  it('refuses a member raising its own scope', () => {
    expect(updateDenial(bob, bob, { scope: Scope.Administrator })).toBe(
      ErrorCode.SCOPE_CHANGE_FORBIDDEN,
    );
  });

  it('refuses a member sending its current scope (a probe learns nothing)', () => {
    expect(updateDenial(bob, bob, { scope: Scope.Member })).toBe(ErrorCode.SCOPE_CHANGE_FORBIDDEN);
  });

  it("refuses a manager changing a managed member's scope", () => {
    expect(updateDenial(carol, bob, { scope: Scope.Member })).toBe(
      ErrorCode.SCOPE_CHANGE_FORBIDDEN,
    );
    expect(updateDenial(carol, bob, { scope: Scope.Administrator })).toBe(
      ErrorCode.SCOPE_CHANGE_FORBIDDEN,
    );
  });

  it('refuses a member sending permissions, even equal to its current ones', () => {
    expect(updateDenial(bob, bob, { permissions: { ...bob.permissions } })).toBe(
      ErrorCode.PERMISSIONS_CHANGE_FORBIDDEN,
    );
  });

  it("refuses a manager changing a managed member's permissions", () => {
    expect(
      updateDenial(carol, bob, { permissions: { group: DAY, read: [DAY, NIGHT], manage: [] } }),
    ).toBe(ErrorCode.PERMISSIONS_CHANGE_FORBIDDEN);
  });

  it('allows an administrator to change scope and permissions of anyone, itself included', () => {
    expect(updateDenial(alice, bob, { scope: Scope.Administrator })).toBeNull();
    expect(updateDenial(alice, alice, { scope: Scope.Member })).toBeNull();
    expect(
      updateDenial(bareAdmin, carol, { permissions: { group: null, read: [], manage: [] } }),
    ).toBeNull();
    expect(
      updateDenial(alice, bob, {
        firstName: 'B',
        lastName: 'D',
        professionId: null,
        scope: Scope.Member,
        permissions: { group: NIGHT, read: [NIGHT], manage: [] },
      }),
    ).toBeNull();
  });

  it('refuses a member sending its own name together with a scope, with the scope code', () => {
    expect(updateDenial(bob, bob, { firstName: 'Bobby', scope: Scope.Member })).toBe(
      ErrorCode.SCOPE_CHANGE_FORBIDDEN,
    );
  });

  it('refuses a member sending its own name together with permissions', () => {
    expect(updateDenial(bob, bob, { lastName: 'D', permissions: { ...bob.permissions } })).toBe(
      ErrorCode.PERMISSIONS_CHANGE_FORBIDDEN,
    );
  });

  it('refuses the profile first when an unrelated member sends profile and scope', () => {
    expect(updateDenial(bob, carol, { firstName: 'C', scope: Scope.Member })).toBe(
      ErrorCode.PROFILE_CHANGE_FORBIDDEN,
    );
  });

  it('reports scope before permissions when a member sends both', () => {
    expect(
      updateDenial(bob, bob, { scope: Scope.Member, permissions: { ...bob.permissions } }),
    ).toBe(ErrorCode.SCOPE_CHANGE_FORBIDDEN);
  });

  it('returns null for an empty request (nothing to judge)', () => {
    expect(updateDenial(bob, carol, {})).toBeNull();
  });

  it('treats professionId null as a request (clearing is a profile change)', () => {
    expect(updateDenial(bob, carol, { professionId: null })).toBe(
      ErrorCode.PROFILE_CHANGE_FORBIDDEN,
    );
  });
});

describe('removesLastAdministrator', () => {
  const admin = { scope: Scope.Administrator };
  const member = { scope: Scope.Member };

  it('is true when the only active administrator is demoted', () => {
    expect(removesLastAdministrator(admin, { scope: Scope.Member }, 1)).toBe(true);
  });

  it('is true when the count is already 0 or below (defensive)', () => {
    expect(removesLastAdministrator(admin, { scope: Scope.Member }, 0)).toBe(true);
  });

  it('is false when another administrator remains', () => {
    expect(removesLastAdministrator(admin, { scope: Scope.Member }, 2)).toBe(false);
    expect(removesLastAdministrator(admin, { scope: Scope.Member }, 50)).toBe(false);
  });

  it('is false when the last administrator keeps scope 1', () => {
    expect(removesLastAdministrator(admin, { scope: Scope.Administrator }, 1)).toBe(false);
  });

  it('is false when the change does not touch the scope', () => {
    expect(removesLastAdministrator(admin, {}, 1)).toBe(false);
    expect(removesLastAdministrator(admin, { firstName: 'A' }, 1)).toBe(false);
    expect(
      removesLastAdministrator(admin, { permissions: { group: null, read: [], manage: [] } }, 1),
    ).toBe(false);
  });

  it('is false when the target is a member (promoting or keeping a member)', () => {
    expect(removesLastAdministrator(member, { scope: Scope.Member }, 1)).toBe(false);
    expect(removesLastAdministrator(member, { scope: Scope.Administrator }, 1)).toBe(false);
    expect(removesLastAdministrator(member, { scope: Scope.Member }, 0)).toBe(false);
  });
});

describe('grants: the first rule that holds, in the order SELF, ADMINISTRATOR, MANAGES_GROUP, READS_GROUP', () => {
  it.each([
    ['alice on herself', alice, alice, 'SELF', 'SELF'],
    ['alice on bob', alice, bob, 'ADMINISTRATOR', 'ADMINISTRATOR'],
    ['carol on bob (manages and reads Day)', carol, bob, 'MANAGES_GROUP', 'MANAGES_GROUP'],
    ['bob on carol (reads Day only, carol is Night)', bob, carol, null, null],
    ['reader on carol (reads Night)', reader, carol, 'READS_GROUP', null],
    ['manager on carol (manages Night)', manager, carol, 'MANAGES_GROUP', 'MANAGES_GROUP'],
    ['loner on bob', loner, bob, null, null],
    ['anyone on an ungrouped member', carol, ungrouped, null, null],
    ['a bare administrator on anyone', bareAdmin, loner, 'ADMINISTRATOR', 'ADMINISTRATOR'],
  ] as const)('%s', (_label, actor, target, read, profile) => {
    expect(readGrant(actor, target)).toBe(read);
    expect(profileGrant(actor, target)).toBe(profile);
    expect(canReadMembership(actor, target)).toBe(read !== null);
    expect(canUpdateProfile(actor, target)).toBe(profile !== null);
  });

  it.each([
    ['alice, Night', alice, NIGHT, 'ADMINISTRATOR', 'ADMINISTRATOR'],
    ['carol, Day', carol, DAY, 'MANAGES_GROUP', 'MANAGES_GROUP'],
    ['carol, Night', carol, NIGHT, 'READS_GROUP', null],
    ['bob, his own group without listing it elsewhere', bob, DAY, 'READS_GROUP', null],
    ['ungrouped, any group', ungrouped, DAY, null, null],
    ['reader, Other (its own group, not listed)', reader, OTHER, null, null],
  ] as const)('groupGrant for %s', (_label, actor, groupId, read, manage) => {
    expect(groupGrant(actor, groupId, 'read')).toBe(read);
    expect(groupGrant(actor, groupId, 'manage')).toBe(manage);
  });

  it('administerGrant: administrators only', () => {
    expect(administerGrant(alice)).toBe('ADMINISTRATOR');
    expect(administerGrant(bareAdmin)).toBe('ADMINISTRATOR');
    expect(administerGrant(carol)).toBeNull();
  });
});
