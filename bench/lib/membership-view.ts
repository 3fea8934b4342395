/**
 * The membership view a membership.updated event carries (toMembershipView), at its usual size:
 * what the bench's own events hold, in the outbox (the drain) or sent straight (bare POST).
 */
export function membershipView(at: string) {
  return {
    membership: {
      userId: 1,
      organizationId: 1,
      scope: 2,
      firstName: 'Marie',
      lastName: 'Curie',
      professionId: 3,
      permissions: { group: [1, 2], read: [1, 2, 3], manage: [] },
      deletedAt: null,
      updatedAt: at,
      createdAt: at,
    },
  };
}
