import { ErrorCode } from '../common/errors/error-code';
import { Scope } from './entities/membership.entity';
import { Membership, MembershipChanges } from './membership';

/**
 * Who may do what to whom (DESIGN section 6). Pure functions of the two memberships involved:
 * the guards and services call them, the unit tests pin them.
 */
export type Actor = Pick<Membership, 'userId' | 'scope' | 'permissions'>;
type Target = Pick<Membership, 'userId' | 'scope' | 'permissions'>;

export function isAdministrator(actor: Pick<Membership, 'scope'>): boolean {
  return actor.scope === Scope.Administrator;
}

function isSelf(actor: Actor, target: Target): boolean {
  return actor.userId === target.userId;
}

function groupListed(groups: number[], target: Target): boolean {
  return target.permissions.group !== null && groups.includes(target.permissions.group);
}

/**
 * The rule that allows an act, the first that holds in this order (DESIGN 14 names them as the
 * decision point's reasons); null when none does.
 */
export type Grant = 'SELF' | 'ADMINISTRATOR' | 'MANAGES_GROUP' | 'READS_GROUP';

/** Who may read a membership: itself, an administrator, a reader or manager of its group. */
export function readGrant(actor: Actor, target: Target): Grant | null {
  if (isSelf(actor, target)) return 'SELF';
  if (isAdministrator(actor)) return 'ADMINISTRATOR';
  if (groupListed(actor.permissions.manage, target)) return 'MANAGES_GROUP';
  if (groupListed(actor.permissions.read, target)) return 'READS_GROUP';
  return null;
}

/** Who may change a membership's profile: itself, an administrator, a manager of its group. */
export function profileGrant(actor: Actor, target: Target): Grant | null {
  if (isSelf(actor, target)) return 'SELF';
  if (isAdministrator(actor)) return 'ADMINISTRATOR';
  if (groupListed(actor.permissions.manage, target)) return 'MANAGES_GROUP';
  return null;
}

/** Who may read a group's members (list them), or manage them (change their profiles). */
export function groupGrant(
  actor: Pick<Membership, 'scope' | 'permissions'>,
  groupId: number,
  act: 'read' | 'manage',
): Grant | null {
  if (isAdministrator(actor)) return 'ADMINISTRATOR';
  if (actor.permissions.manage.includes(groupId)) return 'MANAGES_GROUP';
  if (act === 'read' && actor.permissions.read.includes(groupId)) return 'READS_GROUP';
  return null;
}

/** Scope, permissions, invitations and removals of others: administrators only. */
export function administerGrant(actor: Pick<Membership, 'scope'>): Grant | null {
  return isAdministrator(actor) ? 'ADMINISTRATOR' : null;
}

export function canReadMembership(actor: Actor, target: Target): boolean {
  return readGrant(actor, target) !== null;
}

export function canUpdateProfile(actor: Actor, target: Target): boolean {
  return profileGrant(actor, target) !== null;
}

/**
 * Judges the fields a request sends, not only those that would change: a member who sends
 * `scope` is refused even when the value equals its own, so a probe learns nothing.
 */
export function updateDenial(
  actor: Actor,
  target: Target,
  requested: MembershipChanges,
): ErrorCode | null {
  const profile =
    requested.firstName !== undefined ||
    requested.lastName !== undefined ||
    requested.professionId !== undefined;
  if (profile && !canUpdateProfile(actor, target)) return ErrorCode.PROFILE_CHANGE_FORBIDDEN;
  if (requested.scope !== undefined && !isAdministrator(actor)) {
    return ErrorCode.SCOPE_CHANGE_FORBIDDEN;
  }
  if (requested.permissions !== undefined && !isAdministrator(actor)) {
    return ErrorCode.PERMISSIONS_CHANGE_FORBIDDEN;
  }
  return null;
}

/** True when the change would demote the organization's last active administrator. */
export function removesLastAdministrator(
  target: Pick<Membership, 'scope'>,
  changes: MembershipChanges,
  activeAdministrators: number,
): boolean {
  return (
    target.scope === Scope.Administrator &&
    changes.scope !== undefined &&
    changes.scope !== Scope.Administrator &&
    activeAdministrators <= 1
  );
}

/** A member may leave on its own; removing anyone else takes an administrator. */
export function canDeleteMembership(actor: Actor, target: Target): boolean {
  return isSelf(actor, target) || isAdministrator(actor);
}

/** Removed members are listed to administrators only. */
export function canListDeleted(actor: Pick<Membership, 'scope'>): boolean {
  return isAdministrator(actor);
}

/** Only administrators bring a removed member back (and invite new ones). */
export function canRestoreMembership(actor: Pick<Membership, 'scope'>): boolean {
  return isAdministrator(actor);
}

/** The caller once its membership is gone: still itself, with no role and no group rights. */
export function withoutRights(actor: Actor): Actor {
  return {
    userId: actor.userId,
    scope: Scope.Member,
    permissions: { group: null, read: [], manage: [] },
  };
}

/** Members may list themselves and the members of groups their lists cover. */
export function visibleGroups(actor: Pick<Membership, 'permissions'>): number[] {
  return [...new Set([...actor.permissions.read, ...actor.permissions.manage])];
}
