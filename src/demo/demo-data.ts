import { Scope } from '../users-organizations';

/** DESIGN section 9: the demo organization every new checkout starts with. */
export const DEMO_PROFESSIONS = [
  { id: 1, label: 'Nurse' },
  { id: 2, label: 'Physician' },
  { id: 3, label: 'Caregiver' },
  { id: 4, label: 'Coordinator' },
];

export const DEMO_ORGANIZATIONS = [
  { id: 1, name: 'Demo Care Paris' },
  { id: 2, name: 'Demo Care Lyon' },
];

export const DEMO_GROUPS = [
  { id: 1, organizationId: 1, name: 'Day team' },
  { id: 2, organizationId: 1, name: 'Night team' },
  { id: 3, organizationId: 2, name: 'Lyon team' },
];

export const DEMO_USERS = [
  { id: 1, subject: 'alice', email: 'alice@example.com' },
  { id: 2, subject: 'bob', email: 'bob@example.com' },
  { id: 3, subject: 'carol', email: 'carol@example.com' },
  { id: 4, subject: 'dave', email: 'dave@example.com' },
  { id: 5, subject: 'erin', email: 'erin@example.com' },
];

export const DEMO_MEMBERSHIPS = [
  {
    id: 1,
    userId: 1,
    organizationId: 1,
    scope: Scope.Administrator,
    firstName: 'Alice',
    lastName: 'Martin',
    professionId: 4,
    permissionGroupId: 1,
    readGroupIds: [1, 2],
    manageGroupIds: [1, 2],
    deleted: false,
  },
  {
    id: 2,
    userId: 2,
    organizationId: 1,
    scope: Scope.Member,
    firstName: 'Bob',
    lastName: 'Durand',
    professionId: 1,
    permissionGroupId: 1,
    readGroupIds: [1],
    manageGroupIds: [],
    deleted: false,
  },
  {
    id: 3,
    userId: 3,
    organizationId: 1,
    scope: Scope.Member,
    firstName: 'Carol',
    lastName: 'Petit',
    professionId: 2,
    permissionGroupId: 2,
    readGroupIds: [1, 2],
    manageGroupIds: [1],
    deleted: false,
  },
  {
    id: 4,
    userId: 4,
    organizationId: 2,
    scope: Scope.Administrator,
    firstName: 'Dave',
    lastName: 'Moreau',
    professionId: 4,
    permissionGroupId: 3,
    readGroupIds: [3],
    manageGroupIds: [3],
    deleted: false,
  },
  {
    id: 5,
    userId: 5,
    organizationId: 1,
    scope: Scope.Member,
    firstName: 'Erin',
    lastName: 'Roux',
    professionId: 3,
    permissionGroupId: 2,
    readGroupIds: [2],
    manageGroupIds: [],
    deleted: true,
  },
];

/** Frank is invited to organization 1 by alice: the newcomer's path through the API. */
export const DEMO_INVITATIONS = [
  {
    id: 1,
    organizationId: 1,
    email: 'frank@example.com',
    scope: Scope.Member,
    firstName: 'Frank',
    lastName: 'Leroy',
    professionId: 1,
    permissionGroupId: 1,
    readGroupIds: [1],
    manageGroupIds: [],
    invitedByUserId: 1,
    expiresInDays: 30,
  },
];
