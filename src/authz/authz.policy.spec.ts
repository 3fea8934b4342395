import { Scope } from '../users-organizations';
import { decide, type Facts } from './authz.policy';

const member = (
  userId: number,
  scope: Scope,
  group: number | null,
  read: number[] = [],
  manage: number[] = [],
) => ({
  userId,
  scope,
  permissions: { group, read, manage },
});
const DAY = 1;
const NIGHT = 2;
const inService = { archived: false, requireMfa: false };
const carol = member(3, Scope.Member, NIGHT, [DAY, NIGHT], [DAY]);
const bob = member(2, Scope.Member, DAY, [DAY]);

const facts = (overrides: Partial<Facts>): Facts => ({
  organization: inService,
  subject: carol,
  target: { type: 'member', membership: bob },
  ...overrides,
});

describe('decide', () => {
  it('refuses in order: not a member, archived, target not found, not allowed', () => {
    const archived = { archived: true, requireMfa: false };
    expect(decide('read', facts({ organization: null, subject: null })).context.reason).toBe(
      'NOT_A_MEMBER',
    );
    expect(decide('read', facts({ organization: archived, subject: null })).context.reason).toBe(
      'NOT_A_MEMBER',
    );
    expect(decide('read', facts({ organization: archived })).context.reason).toBe(
      'ORGANIZATION_ARCHIVED',
    );
    expect(
      decide('read', facts({ target: { type: 'member', membership: null } })).context.reason,
    ).toBe('TARGET_NOT_FOUND');
    expect(
      decide('manage', facts({ target: { type: 'group', groupId: 9, exists: false } })).context
        .reason,
    ).toBe('TARGET_NOT_FOUND');
    expect(decide('administer', facts({ target: { type: 'organization' } }))).toEqual({
      decision: false,
      context: { reason: 'NOT_ALLOWED' },
    });
  });

  it('allows with the first rule that holds, and names a required second factor', () => {
    expect(decide('update_profile', facts({}))).toEqual({
      decision: true,
      context: { reason: 'MANAGES_GROUP' },
    });
    expect(
      decide('read', facts({ subject: bob, target: { type: 'member', membership: carol } })),
    ).toEqual({
      decision: false,
      context: { reason: 'NOT_ALLOWED' },
    });
    expect(
      decide(
        'read',
        facts({
          organization: { archived: false, requireMfa: true },
          target: { type: 'group', groupId: NIGHT, exists: true },
        }),
      ),
    ).toEqual({ decision: true, context: { reason: 'READS_GROUP', mfaRequired: true } });
    expect(
      decide('manage', facts({ target: { type: 'group', groupId: NIGHT, exists: true } })).decision,
    ).toBe(false);
    expect(
      decide('read', facts({ subject: bob, target: { type: 'member', membership: bob } })).context
        .reason,
    ).toBe('SELF');
  });
});
