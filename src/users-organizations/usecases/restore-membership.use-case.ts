import { Injectable } from '@nestjs/common';
import { ChangeRecorder } from '../../audit';
import { AppException } from '../../common/errors/app.exception';
import { ErrorCode } from '../../common/errors/error-code';
import { UsersRepository } from '../../users';
import type { MemberContext } from '../member-context';
import { MembershipAccess } from '../membership-access';
import { membershipChange, MembershipResult, membershipResult } from '../membership-change';
import { changedMeanwhile, membershipNotFound } from '../membership-errors';
import { MembershipEvents } from '../membership-events';
import { canRestoreMembership } from '../membership.policy';
import { MembershipsRepository } from '../memberships.repository';

/** POST /users/{userId}/restore: an administrator brings a removed member back. */
@Injectable()
export class RestoreMembershipUseCase {
  constructor(
    private readonly recorder: ChangeRecorder,
    private readonly access: MembershipAccess,
    private readonly memberships: MembershipsRepository,
    private readonly users: UsersRepository,
  ) {}

  async execute(auth: MemberContext, userId: number): Promise<MembershipResult> {
    const organizationId = auth.session.organizationId;
    if (!canRestoreMembership(auth.membership)) {
      throw this.access.denied(auth, userId, ErrorCode.ADMIN_REQUIRED);
    }
    const restored = await this.recorder.run(async (executor) => {
      // The caller's rights as they stand at commit time.
      const caller = await this.memberships.findActive(organizationId, auth.user.id, {
        executor,
        lock: 'share',
      });
      if (caller === null || !canRestoreMembership(caller)) {
        throw this.access.denied(auth, userId, ErrorCode.ADMIN_REQUIRED);
      }
      const target = await this.memberships.find(organizationId, userId, { executor, lock: true });
      if (target === null || (await this.users.findActiveById(executor, userId)) === null) {
        throw membershipNotFound();
      }
      if (target.deletedAt === null) {
        throw new AppException(ErrorCode.MEMBERSHIP_ACTIVE, 'The membership is active already.');
      }
      const updatedAt = new Date();
      if (!(await this.memberships.setDeletedAt(executor, target, null, updatedAt))) {
        throw changedMeanwhile();
      }
      const membership = { ...target, deletedAt: null, updatedAt, version: target.version + 1 };
      return {
        result: membership,
        changes: [
          membershipChange(auth, MembershipEvents.Restored, membership, {
            deletedAt: { before: target.deletedAt.toISOString(), after: null },
          }),
        ],
      };
    });
    return membershipResult(restored);
  }
}
