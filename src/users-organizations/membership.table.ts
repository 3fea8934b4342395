import { fromDatabaseTimestamp, nullableNumber } from '../database';
import type { Membership, Permissions } from './membership';

/**
 * The `memberships` table as the hand-written statements see it: one list of its columns,
 * the row both drivers return, and the mapper to the domain type.
 */

/** A memberships row as both drivers return it. */
export interface MembershipRow {
  id: number | string;
  userId: number | string;
  organizationId: number | string;
  scope: number;
  firstName: string;
  lastName: string;
  professionId: number | string | null;
  permissionGroupId: number | string | null;
  readGroupIds: string;
  manageGroupIds: string;
  version: number;
  createdAt: Date | string;
  updatedAt: Date | string;
  deletedAt: Date | string | null;
}

const MEMBERSHIP_FIELDS = [
  'id',
  'userId',
  'organizationId',
  'scope',
  'firstName',
  'lastName',
  'professionId',
  'permissionGroupId',
  'readGroupIds',
  'manageGroupIds',
  'version',
  'createdAt',
  'updatedAt',
  'deletedAt',
] as const;

/** The select list of a memberships row under a table alias, optionally with prefixed names. */
export function membershipColumns(alias: string, prefix = ''): string {
  return MEMBERSHIP_FIELDS.map(
    (field) => `${alias}.\`${field}\`` + (prefix ? ` AS \`${prefix}${field}\`` : ''),
  ).join(', ');
}

/** Reads back a row selected with `membershipColumns(alias, prefix)`; null if the join missed. */
export function prefixedMembership(
  row: Record<string, unknown>,
  prefix: string,
): Membership | null {
  const names = prefixedNames(prefix);
  if (row[names.id] === null || row[names.id] === undefined) return null;
  const unprefixed: Record<string, unknown> = {};
  for (const field of MEMBERSHIP_FIELDS) unprefixed[field] = row[names[field]];
  return toMembership(unprefixed as unknown as MembershipRow);
}

type PrefixedNames = Record<(typeof MEMBERSHIP_FIELDS)[number], string>;
const prefixedNamesCache = new Map<string, PrefixedNames>();

/** Each field's prefixed column name, worked out once per prefix instead of once per row. */
function prefixedNames(prefix: string): PrefixedNames {
  let names = prefixedNamesCache.get(prefix);
  if (names === undefined) {
    names = Object.fromEntries(
      MEMBERSHIP_FIELDS.map((field) => [field, `${prefix}${field}`]),
    ) as PrefixedNames;
    prefixedNamesCache.set(prefix, names);
  }
  return names;
}

export const MEMBERSHIP_COLUMNS = membershipColumns('m');

/** The permission columns a memberships (or invitations) row stores them in. */
export interface PermissionColumns {
  permissionGroupId: number | string | null;
  readGroupIds: string;
  manageGroupIds: string;
}

export function permissionsOf(row: PermissionColumns): Permissions {
  return {
    group: nullableNumber(row.permissionGroupId),
    read: JSON.parse(row.readGroupIds) as number[],
    manage: JSON.parse(row.manageGroupIds) as number[],
  };
}

/** The values of the permission columns, in their order: group, read list, manage list. */
export function permissionValues(permissions: Permissions): [number | null, string, string] {
  return [permissions.group, JSON.stringify(permissions.read), JSON.stringify(permissions.manage)];
}

export function toMembership(row: MembershipRow): Membership {
  return {
    id: Number(row.id),
    userId: Number(row.userId),
    organizationId: Number(row.organizationId),
    scope: Number(row.scope),
    firstName: row.firstName,
    lastName: row.lastName,
    professionId: nullableNumber(row.professionId),
    permissions: permissionsOf(row),
    version: Number(row.version),
    createdAt: fromDatabaseTimestamp(row.createdAt) as Date,
    updatedAt: fromDatabaseTimestamp(row.updatedAt) as Date,
    deletedAt: fromDatabaseTimestamp(row.deletedAt),
  };
}
