import { Injectable } from '@nestjs/common';
import { ChangeRecorder } from '../../audit';
import { SessionsRepository } from '../../auth';
import { ErrorCode } from '../../common/errors/error-code';
import type { SqlExecutor } from '../../database';
import { Scope } from '../entities/membership.entity';
import type { Membership } from '../membership';
import type { MemberContext } from '../member-context';
import { InviterRights } from '../inviter-rights';
import { MembershipAccess, UserReference } from '../membership-access';
import { membershipChange } from '../membership-change';
import { changedMeanwhile, lastAdministrator, membershipNotFound } from '../membership-errors';
import { MembershipEvents } from '../membership-events';
import {
  canDeleteMembership,
  isAdministrator,
  removesLastAdministrator,
} from '../membership.policy';
import { MembershipsRepository } from '../memberships.repository';

/**
 * DELETE /users/{userId}: soft delete, with the member's sessions in the organization revoked
 * in the same step. Removing someone else takes an administrator, refused before any lock; the
 * administrator rows are locked only when an administrator acts or the member leaving is one.
 */
@Injectable()
export class RemoveMembershipUseCase {
  constructor(
    private readonly recorder: ChangeRecorder,
    private readonly access: MembershipAccess,
    private readonly memberships: MembershipsRepository,
    private readonly sessions: SessionsRepository,
    private readonly inviterRights: InviterRights,
  ) {}

  async execute(auth: MemberContext, reference: UserReference): Promise<void> {
    const organizationId = auth.session.organizationId;
    const seen = await this.access.seenTarget(auth, reference);
    if (seen === null) throw membershipNotFound();
    if (!canDeleteMembership(auth.membership, seen)) {
      throw this.access.denied(auth, seen.userId, ErrorCode.ADMIN_REQUIRED);
    }
    await this.recorder.run(async (executor) => {
      const { target, administrators } = await this.lock(executor, auth, seen.userId);
      if (target === null) throw membershipNotFound();
      const actor =
        administrators === null ? auth.membership : this.access.asLocked(auth, administrators);
      if (!canDeleteMembership(actor, target)) {
        throw this.access.denied(auth, target.userId, ErrorCode.ADMIN_REQUIRED);
      }
      if (
        administrators !== null &&
        removesLastAdministrator(target, { scope: Scope.Member }, administrators.length)
      ) {
        throw lastAdministrator();
      }
      const deletedAt = new Date();
      if (!(await this.memberships.setDeletedAt(executor, target, deletedAt, deletedAt))) {
        throw changedMeanwhile();
      }
      await this.sessions.revokeMember(executor, target.userId, organizationId, deletedAt);
      const removed = { ...target, deletedAt, updatedAt: deletedAt, version: target.version + 1 };
      // An administrator's pending invitations end with its right to invite (DESIGN 8b).
      const revoked = isAdministrator(target)
        ? await this.inviterRights.ended(executor, organizationId, target.userId, deletedAt, {
            actorUserId: auth.user.id,
            requestId: auth.requestId,
          })
        : [];
      return {
        result: undefined,
        changes: [
          membershipChange(auth, MembershipEvents.Deleted, removed, {
            deletedAt: { before: null, after: deletedAt.toISOString() },
          }),
          ...revoked,
        ],
      };
    });
  }

  /** The target locked; the administrator rows too when the last-administrator rule may apply. */
  private async lock(
    executor: SqlExecutor,
    auth: MemberContext,
    targetUserId: number,
  ): Promise<{ target: Membership | null; administrators: number[] | null }> {
    const organizationId = auth.session.organizationId;
    const lockTarget = () =>
      this.memberships.findActive(organizationId, targetUserId, { executor, lock: true });
    if (isAdministrator(auth.membership)) {
      const administrators = await this.memberships.lockActiveAdministrators(
        executor,
        organizationId,
      );
      return { administrators, target: await lockTarget() };
    }
    const target = await lockTarget();
    // Promoted since the session's read: the last-administrator rule applies after all.
    const administrators =
      target !== null && isAdministrator(target)
        ? await this.memberships.lockActiveAdministrators(executor, organizationId)
        : null;
    return { target, administrators };
  }
}
