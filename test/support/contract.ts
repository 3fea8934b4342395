/** The fields of a membership in every answer, as DESIGN.md lists them: no more, no fewer. */
export const MEMBERSHIP_VIEW_FIELDS: readonly string[] = [
  'userId',
  'organizationId',
  'scope',
  'firstName',
  'lastName',
  'professionId',
  'permissions',
  'deletedAt',
  'updatedAt',
  'createdAt',
];
