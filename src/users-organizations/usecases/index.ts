/** The use cases of the members API, one per route (Novu's usecases/index.ts). */
export { GetMembershipUseCase } from './get-membership.use-case';
export { ListMembershipsUseCase } from './list-memberships.use-case';
export { RemoveMembershipUseCase } from './remove-membership.use-case';
export { RestoreMembershipUseCase } from './restore-membership.use-case';
export { UpdateMembershipUseCase } from './update-membership.use-case';

import { GetMembershipUseCase } from './get-membership.use-case';
import { ListMembershipsUseCase } from './list-memberships.use-case';
import { RemoveMembershipUseCase } from './remove-membership.use-case';
import { RestoreMembershipUseCase } from './restore-membership.use-case';
import { UpdateMembershipUseCase } from './update-membership.use-case';

export const MEMBERSHIP_USE_CASES = [
  GetMembershipUseCase,
  ListMembershipsUseCase,
  UpdateMembershipUseCase,
  RemoveMembershipUseCase,
  RestoreMembershipUseCase,
];
