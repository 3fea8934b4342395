import {
  administerGrant,
  type Actor,
  type Grant,
  groupGrant,
  profileGrant,
  readGrant,
} from '../users-organizations';

/** The actions of DESIGN 14, by resource type. */
export const ACTIONS = {
  member: ['read', 'update_profile'],
  group: ['read', 'manage'],
  organization: ['administer'],
} as const;
export type ResourceType = keyof typeof ACTIONS;
export type ActionName = (typeof ACTIONS)[ResourceType][number];

/** Why a decision is false, in the order they are judged. */
export type Refusal = 'NOT_A_MEMBER' | 'ORGANIZATION_ARCHIVED' | 'TARGET_NOT_FOUND' | 'NOT_ALLOWED';

export interface Decision {
  decision: boolean;
  context: { reason: Grant | Refusal; mfaRequired?: true };
}

/** What the rows say about one question: read fresh, when it is asked. */
export interface Facts {
  /** Null: no such organization, or not one the client reaches. */
  organization: { archived: boolean; requireMfa: boolean } | null;
  /** The subject's active membership there; null if it has none. */
  subject: Actor | null;
  /** The resource: a member's active membership, a group of the organization, or null if none. */
  target:
    | { type: 'member'; membership: Actor | null }
    | { type: 'group'; groupId: number; exists: boolean }
    | { type: 'organization' };
}

/**
 * A decision of the decision point (DESIGN 14) from the same policy functions the `rs` guards
 * and use cases call: the grant that allows the act, or the first refusal that applies.
 */
export function decide(action: ActionName, facts: Facts): Decision {
  const mfa = facts.organization?.requireMfa ? { mfaRequired: true as const } : {};
  const refuse = (reason: Refusal): Decision => ({ decision: false, context: { reason, ...mfa } });
  if (facts.organization === null || facts.subject === null) return refuse('NOT_A_MEMBER');
  if (facts.organization.archived) return refuse('ORGANIZATION_ARCHIVED');
  const grant = grantOf(action, facts.subject, facts.target);
  if (grant === undefined) return refuse('TARGET_NOT_FOUND');
  return grant === null
    ? refuse('NOT_ALLOWED')
    : { decision: true, context: { reason: grant, ...mfa } };
}

/** undefined: the target does not exist; null: it does, and no rule allows the act. */
function grantOf(
  action: ActionName,
  subject: Actor,
  target: Facts['target'],
): Grant | null | undefined {
  switch (target.type) {
    case 'member':
      if (target.membership === null) return undefined;
      return action === 'update_profile'
        ? profileGrant(subject, target.membership)
        : readGrant(subject, target.membership);
    case 'group':
      if (!target.exists) return undefined;
      return groupGrant(subject, target.groupId, action === 'manage' ? 'manage' : 'read');
    case 'organization':
      return administerGrant(subject);
  }
}
