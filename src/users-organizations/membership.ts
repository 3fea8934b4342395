import type { FieldChanges } from '../audit';
import { Scope } from './entities/membership.entity';

/** A membership as the domain sees it: what the repository reads and the policies judge. */
export interface Membership {
  id: number;
  userId: number;
  organizationId: number;
  scope: Scope;
  firstName: string;
  lastName: string;
  professionId: number | null;
  permissions: Permissions;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  deletedAt: Date | null;
}

export interface Permissions {
  /** The member's own group. */
  group: number | null;
  /** Groups whose members this member may read. Sorted, unique. */
  read: number[];
  /** Groups whose members this member may manage. Sorted, unique. */
  manage: number[];
}

/** The fields a PATCH may change; absent means "leave as is". */
export interface MembershipChanges {
  firstName?: string;
  lastName?: string;
  professionId?: number | null;
  scope?: Scope;
  permissions?: Permissions;
}

export function sortedIds(ids: readonly number[]): number[] {
  return [...ids].sort((a, b) => a - b);
}

function samePermissions(a: Permissions, b: Permissions): boolean {
  return (
    a.group === b.group &&
    a.read.length === b.read.length &&
    a.manage.length === b.manage.length &&
    a.read.every((id, index) => id === b.read[index]) &&
    a.manage.every((id, index) => id === b.manage[index])
  );
}

/** Keeps only the requested values that differ from the stored ones; empty means a no-op. */
export function effectiveChanges(
  current: Membership,
  requested: MembershipChanges,
): MembershipChanges {
  const changes: MembershipChanges = {};
  if (requested.firstName !== undefined && requested.firstName !== current.firstName) {
    changes.firstName = requested.firstName;
  }
  if (requested.lastName !== undefined && requested.lastName !== current.lastName) {
    changes.lastName = requested.lastName;
  }
  if (requested.professionId !== undefined && requested.professionId !== current.professionId) {
    changes.professionId = requested.professionId;
  }
  if (requested.scope !== undefined && requested.scope !== current.scope) {
    changes.scope = requested.scope;
  }
  if (requested.permissions !== undefined) {
    const permissions = {
      group: requested.permissions.group,
      read: sortedIds(requested.permissions.read),
      manage: sortedIds(requested.permissions.manage),
    };
    if (!samePermissions(permissions, current.permissions)) changes.permissions = permissions;
  }
  return changes;
}

/** The audit form of a change: each changed field with its value before and after. */
export function fieldChanges(current: Membership, changes: MembershipChanges): FieldChanges {
  const result: FieldChanges = {};
  for (const field of Object.keys(changes) as (keyof MembershipChanges)[]) {
    result[field] = { before: current[field], after: changes[field] };
  }
  return result;
}

/** A creation in the audit trail: every initial value, each with `before: null`. */
export function creationChanges(membership: Membership): FieldChanges {
  const { firstName, lastName, professionId, scope, permissions } = membership;
  return Object.fromEntries(
    Object.entries({ firstName, lastName, professionId, scope, permissions }).map(
      ([field, after]) => [field, { before: null, after }],
    ),
  );
}

export function isEmpty(changes: MembershipChanges): boolean {
  return Object.keys(changes).length === 0;
}

/** The entity tag of one state of a membership: strong, changes with every write. */
export function etagOf(membership: Pick<Membership, 'id' | 'version'>): string {
  return `"m${membership.id}.v${membership.version}"`;
}

export { ifMatchSatisfied } from '../common/http/if-match';
