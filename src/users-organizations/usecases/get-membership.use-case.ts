import { Injectable } from '@nestjs/common';
import { ErrorCode } from '../../common/errors/error-code';
import type { MemberContext } from '../member-context';
import { MembershipAccess, UserReference } from '../membership-access';
import { MembershipResult, membershipResult } from '../membership-change';
import { membershipNotFound } from '../membership-errors';
import { canReadMembership } from '../membership.policy';

/** GET /users/{userId}: one membership, to whoever may read it. */
@Injectable()
export class GetMembershipUseCase {
  constructor(private readonly access: MembershipAccess) {}

  async execute(auth: MemberContext, reference: UserReference): Promise<MembershipResult> {
    const target = await this.access.seenTarget(auth, reference);
    if (target === null) throw membershipNotFound();
    if (!canReadMembership(auth.membership, target)) {
      throw this.access.denied(auth, target.userId, ErrorCode.READ_FORBIDDEN);
    }
    return membershipResult(target);
  }
}
