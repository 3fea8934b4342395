/**
 * Memberships: the members API, the membership domain and its policy (pure functions other
 * modules may call), the membership events, and the session resolver the guard chain reads.
 */
export * from './dto/membership-properties';
export * from './dto/membership.response';
export * from './entities/membership.entity';
export * from './member-context';
export * from './inviter-rights';
export * from './member-session.resolver';
export * from './membership';
export * from './membership-access';
export * from './membership-change';
export * from './membership-errors';
export * from './membership-events';
export * from './membership-references';
export * from './membership.policy';
export {
  MEMBERSHIP_COLUMNS,
  permissionsOf,
  permissionValues,
  prefixedMembership,
} from './membership.table';
export * from './memberships.repository';
export { MyOrganizationsRepository } from './my-organizations.repository';
export * from './users-organizations.module';
