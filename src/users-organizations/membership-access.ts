import { Injectable, Logger } from '@nestjs/common';
import { AppException } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';
import { Scope } from './entities/membership.entity';
import type { Membership } from './membership';
import { DENIAL_DETAILS } from './membership-errors';
import type { Actor } from './membership.policy';
import type { MemberContext } from './member-context';
import { MembershipsRepository } from './memberships.repository';

/** `me` or a user id, as the routes' userId parameter names a member. */
export type UserReference = number | 'me';

/** What every membership use case needs to know of the caller and its target. */
@Injectable()
export class MembershipAccess {
  private readonly logger = new Logger('MembershipAccess');

  constructor(private readonly memberships: MembershipsRepository) {}

  userIdOf(auth: MemberContext, reference: UserReference): number {
    return reference === 'me' ? auth.user.id : reference;
  }

  /**
   * The target as the session guard read it with the session (routes naming a target), the
   * caller's own membership, or read now; null when it is no active member.
   */
  async seenTarget(auth: MemberContext, reference: UserReference): Promise<Membership | null> {
    const userId = this.userIdOf(auth, reference);
    let seen = auth.target;
    if (seen === undefined) {
      seen =
        userId === auth.user.id
          ? auth.membership
          : await this.memberships.findActive(auth.session.organizationId, userId);
    }
    return seen === null || seen.deletedAt !== null ? null : seen;
  }

  /**
   * The caller as the locked administrator rows show it: a caller demoted a moment ago by a
   * concurrent request must not act as an administrator.
   */
  asLocked(auth: MemberContext, administrators: number[]): Actor {
    return administrators.includes(auth.user.id)
      ? auth.membership
      : { ...auth.membership, scope: Scope.Member };
  }

  /** Refusals are logged for security review, never stored as changes. */
  denied(auth: MemberContext, targetUserId: number | null, code: ErrorCode): AppException {
    this.logger.warn(
      `Denied ${code}: user ${auth.user.id} on ${targetUserId ?? 'the member list'} ` +
        `in organization ${auth.session.organizationId} (request ${auth.requestId})`,
    );
    return new AppException(code, DENIAL_DETAILS[code] ?? 'The caller may not do this.');
  }
}
