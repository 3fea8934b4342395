/**
 * The shape of the seeded data, computable from three numbers so the seeder, the load driver
 * and the orchestrator agree on it without reading the database.
 *
 * Membership i (1..N) has id i and belongs to user i (one membership per user) in organization
 * ((i - 1) mod O) + 1, where it is member number k = floor((i - 1) / O) of that organization.
 * Every tenth member (k mod 10 = 0) is an administrator, so every organization has at least one.
 */
export interface Layout {
  memberships: number;
  organizations: number;
  groupsPerOrganization: number;
  professions: number;
}

export const ADMIN_EVERY = 10;

export function membersIn(layout: Layout, organizationId: number): number {
  if (organizationId > layout.memberships) return 0;
  return Math.floor((layout.memberships - organizationId) / layout.organizations) + 1;
}

export function userIdOf(layout: Layout, organizationId: number, k: number): number {
  return organizationId + layout.organizations * k;
}

export function organizationOf(layout: Layout, userId: number): number {
  return ((userId - 1) % layout.organizations) + 1;
}

export function memberIndexOf(layout: Layout, userId: number): number {
  return Math.floor((userId - 1) / layout.organizations);
}

export function isSeededAdministrator(layout: Layout, userId: number): boolean {
  return memberIndexOf(layout, userId) % ADMIN_EVERY === 0;
}

export function groupIdOf(layout: Layout, organizationId: number, g: number): number {
  return (organizationId - 1) * layout.groupsPerOrganization + g + 1;
}

export function subjectOf(userId: number): string {
  return `bench-user-${userId}`;
}

/** A caller with a pre-opened session: the tokens the load driver sends. */
export interface Caller {
  userId: number;
  organizationId: number;
  bearerToken: string;
  sessionToken: string;
  /** A client-credentials token of BENCH_CLIENT with authz:check (the same for every caller). */
  serviceToken: string;
}

export const SCENARIOS = ['profile', 'scope', 'hot-row'] as const;
/** Read-only scenarios of `--scenarios check`: the app alone, a decision against a GET. */
export const CHECK_SCENARIOS = ['check', 'get'] as const;
export type Scenario = (typeof SCENARIOS)[number] | (typeof CHECK_SCENARIOS)[number];
export const CHECK_PATH = '/users-organizations/v1/svc/access/v1/evaluation';
/** The client the bench's service token names, and what the app is told of it. */
export const BENCH_CLIENT = 'bench-gateway';

/**
 * `app-no-metrics`, `app-no-log`, `app-no-rate-limits`: the same app with one feature off
 * (METRICS_ENABLED=false; LOG_LEVEL=warn, so no line for a request that went well; both rate
 * limits 0), each to price that feature against `app` in the same rounds.
 */
export const TARGETS = [
  'app',
  'app-no-metrics',
  'app-no-log',
  'app-no-rate-limits',
  'reference',
  'same-work',
  'framework',
] as const;
export type Target = (typeof TARGETS)[number];
/** What runs when --targets is not given: the app, its price of metrics, and the baselines. */
export const DEFAULT_TARGETS: Target[] = [
  'app',
  'app-no-metrics',
  'reference',
  'same-work',
  'framework',
];

export const PATCH_PATH = '/users-organizations/v1/rs/users/';

/** The single row every request of the hot-row scenario updates: a member of organization 1. */
export function hotRowUserId(layout: Layout): number {
  return userIdOf(layout, 1, 1);
}
