import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { MembershipEntity, Scope } from '../../src/users-organizations/entities/membership.entity';
import { OrganizationGroupEntity } from '../../src/catalogues/entities/organization-group.entity';
import { OrganizationEntity } from '../../src/organizations/entities/organization.entity';
import { UserEntity } from '../../src/users/entities/user.entity';

/** Rows made through the TypeORM entities, so every test can own fresh data. */
export async function createOrganization(dataSource: DataSource, name = 'Test organization') {
  const now = new Date();
  const result = await dataSource
    .getRepository(OrganizationEntity)
    .insert({ name, createdAt: now, updatedAt: now, archivedAt: null });
  return Number(result.identifiers[0].id);
}

export async function createGroup(dataSource: DataSource, organizationId: number, name = 'Team') {
  const result = await dataSource
    .getRepository(OrganizationGroupEntity)
    .insert({ organizationId, name });
  return Number(result.identifiers[0].id);
}

export interface MemberOptions {
  organizationId: number;
  scope?: Scope;
  subject?: string;
  /** The user's issuer: the default one ('') unless given. */
  issuer?: string;
  firstName?: string;
  lastName?: string;
  professionId?: number | null;
  group?: number | null;
  read?: number[];
  manage?: number[];
  deleted?: boolean;
}

/** A new user with a membership; returns its user id and subject. */
export async function createMember(dataSource: DataSource, options: MemberOptions) {
  const now = new Date();
  const subject = options.subject ?? `user-${randomBytes(6).toString('hex')}`;
  const user = await dataSource.getRepository(UserEntity).insert({
    issuer: options.issuer ?? '',
    subject,
    email: `${subject}@example.com`,
    emailKey: `${subject.toLowerCase()}@example.com`,
    createdAt: now,
    updatedAt: now,
    deletedAt: null,
  });
  const userId = Number(user.identifiers[0].id);
  await addMembership(dataSource, userId, options);
  return { userId, subject };
}

export async function addMembership(
  dataSource: DataSource,
  userId: number,
  options: MemberOptions,
) {
  const now = new Date();
  await dataSource.getRepository(MembershipEntity).insert({
    userId,
    organizationId: options.organizationId,
    scope: options.scope ?? Scope.Member,
    firstName: options.firstName ?? 'Test',
    lastName: options.lastName ?? 'Member',
    professionId: options.professionId ?? null,
    permissionGroupId: options.group ?? null,
    readGroupIds: options.read ?? [],
    manageGroupIds: options.manage ?? [],
    version: 1,
    createdAt: now,
    updatedAt: now,
    deletedAt: options.deleted ? now : null,
  });
}

/** The stored membership row, straight from the database, for before/after comparisons. */
export async function membershipRow(
  dataSource: DataSource,
  userId: number,
  organizationId: number,
) {
  return dataSource.getRepository(MembershipEntity).findOneByOrFail({ userId, organizationId });
}

/** A membership's profile, role and permissions as the API shows them (lists as stored: sorted). */
export interface MembershipState {
  scope: number;
  firstName: string;
  lastName: string;
  professionId: number | null;
  permissions: { group: number | null; read: number[]; manage: number[] };
}

export function membershipState(row: MembershipEntity): MembershipState {
  return {
    scope: row.scope,
    firstName: row.firstName,
    lastName: row.lastName,
    professionId: row.professionId,
    permissions: {
      group: row.permissionGroupId,
      read: row.readGroupIds,
      manage: row.manageGroupIds,
    },
  };
}

/** Ascending numeric order, as the API returns id lists. */
export const sortedIds = (ids: number[]) => [...ids].sort((left, right) => left - right);
