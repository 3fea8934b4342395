import { Injectable } from '@nestjs/common';
import type { AuthContext } from '../auth/auth-context';
import { AppException } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';
import { DatabaseService, SqlExecutor } from '../database/database.service';
import { Scope } from './entities/membership.entity';
import { MembershipView, toMembershipView } from './dto/membership.response';
import {
  Membership,
  MembershipChanges,
  effectiveChanges,
  etagOf,
  ifMatchSatisfied,
  isEmpty,
} from './membership';
import { canReadMembership, removesLastAdministrator, updateDenial } from './membership.policy';
import { MembershipsRepository } from './memberships.repository';

export type UserReference = number | 'me';

export interface MembershipResult {
  view: MembershipView;
  etag: string;
}

@Injectable()
export class UsersOrganizationsService {
  constructor(
    private readonly database: DatabaseService,
    private readonly memberships: MembershipsRepository,
  ) {}

  async get(auth: AuthContext, reference: UserReference): Promise<MembershipResult> {
    const target =
      reference === 'me' || reference === auth.user.id
        ? auth.membership
        : await this.memberships.findActive(auth.session.organizationId, reference);
    if (target === null) throw notFound();
    if (!canReadMembership(auth.membership, target)) {
      throw new AppException(
        ErrorCode.READ_FORBIDDEN,
        "The caller's permissions do not cover this member's group.",
      );
    }
    return result(target);
  }

  /**
   * The PATCH: checks and write in one transaction, so a refused request changes nothing.
   * Admin-only changes lock the organization's administrator rows first (always in id order, so
   * two such requests cannot deadlock), then the target row.
   */
  async update(
    auth: AuthContext,
    reference: UserReference,
    requested: MembershipChanges,
    ifMatch: string | undefined,
  ): Promise<MembershipResult> {
    const organizationId = auth.session.organizationId;
    const targetUserId = reference === 'me' ? auth.user.id : reference;
    const adminOnly = requested.scope !== undefined || requested.permissions !== undefined;

    return this.database.transaction(async (executor) => {
      const administrators = adminOnly
        ? await this.memberships.lockActiveAdministrators(executor, organizationId)
        : null;
      const target = await this.memberships.findActive(organizationId, targetUserId, {
        executor,
        lock: true,
      });
      if (target === null) throw notFound();

      // The caller's scope is re-checked against the locked rows: a caller demoted a moment ago
      // by a concurrent request must not act as an administrator.
      const actor =
        administrators !== null && !administrators.includes(auth.user.id)
          ? { ...auth.membership, scope: Scope.Member }
          : auth.membership;
      const denial = updateDenial(actor, target, requested);
      if (denial !== null) throw new AppException(denial, denialDetail(denial));

      if (!ifMatchSatisfied(ifMatch, etagOf(target))) {
        throw new AppException(
          ErrorCode.PRECONDITION_FAILED,
          `The membership's current ETag is ${etagOf(target)}.`,
        );
      }

      const changes = effectiveChanges(target, requested);
      if (isEmpty(changes)) return result(target);

      await this.checkReferences(executor, organizationId, changes, requested);
      if (
        administrators !== null &&
        removesLastAdministrator(target, changes, administrators.length)
      ) {
        throw new AppException(
          ErrorCode.LAST_ADMIN,
          'This member is the last active administrator of the organization.',
        );
      }

      const updatedAt = new Date();
      if (!(await this.memberships.update(executor, target, changes, updatedAt))) {
        // The row was locked above, so this only happens on an engine without row locks.
        throw new AppException(ErrorCode.CONFLICT, 'The membership changed meanwhile; retry.');
      }
      return result(apply(target, changes, updatedAt));
    });
  }

  private async checkReferences(
    executor: SqlExecutor,
    organizationId: number,
    changes: MembershipChanges,
    requested: MembershipChanges,
  ): Promise<void> {
    if (
      changes.professionId !== undefined &&
      changes.professionId !== null &&
      !(await this.memberships.professionExists(executor, changes.professionId))
    ) {
      throw new AppException(
        ErrorCode.PROFESSION_NOT_FOUND,
        `No profession has the id ${changes.professionId}.`,
        { errors: [{ field: 'professionId', message: 'does not name a profession' }] },
      );
    }
    if (changes.permissions !== undefined && requested.permissions !== undefined) {
      // Error paths index the lists as the client sent them, not as they are stored (sorted).
      const { group, read, manage } = requested.permissions;
      const referenced = [...new Set([...(group === null ? [] : [group]), ...read, ...manage])];
      const missing = new Set(
        await this.memberships.missingGroups(executor, organizationId, referenced),
      );
      if (missing.size > 0) {
        const errors = [
          ...(group !== null && missing.has(group) ? [{ field: 'permissions.group' }] : []),
          ...read.flatMap((id, i) =>
            missing.has(id) ? [{ field: `permissions.read[${i}]` }] : [],
          ),
          ...manage.flatMap((id, i) =>
            missing.has(id) ? [{ field: `permissions.manage[${i}]` }] : [],
          ),
        ].map(({ field }) => ({ field, message: 'is not a group of this organization' }));
        throw new AppException(
          ErrorCode.GROUP_NOT_FOUND,
          `These ids are not groups of this organization: ${[...missing].join(', ')}.`,
          { errors },
        );
      }
    }
  }
}

function notFound(): AppException {
  return new AppException(
    ErrorCode.MEMBERSHIP_NOT_FOUND,
    'No active member of this organization has that user id.',
  );
}

function denialDetail(code: ErrorCode): string {
  switch (code) {
    case ErrorCode.SCOPE_CHANGE_FORBIDDEN:
      return 'Only administrators of the organization may change a scope.';
    case ErrorCode.PERMISSIONS_CHANGE_FORBIDDEN:
      return 'Only administrators of the organization may change permissions.';
    default:
      return "Only the member, an administrator, or a manager of the member's group may change this profile.";
  }
}

function apply(current: Membership, changes: MembershipChanges, updatedAt: Date): Membership {
  return { ...current, ...changes, version: current.version + 1, updatedAt };
}

function result(membership: Membership): MembershipResult {
  return { view: toMembershipView(membership), etag: etagOf(membership) };
}
