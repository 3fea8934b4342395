import { Injectable, Logger } from '@nestjs/common';
import { AuditAction, FieldChanges } from '../audit/audit-event';
import { ChangeRecorder, RecordedChange } from '../audit/change-recorder';
import type { AuthContext } from '../auth/auth-context';
import { SessionsRepository } from '../auth/sessions.repository';
import { AppException } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';
import { paginate } from '../common/pagination/cursor';
import { PAGE_DEFAULT } from '../common/pagination/page.query';
import type { SqlExecutor } from '../database/database.service';
import { UsersRepository } from '../users/users.repository';
import type { ListMembershipsQuery } from './dto/list-memberships.query';
import { MembershipPage, MembershipView, toMembershipView } from './dto/membership.response';
import { Scope } from './entities/membership.entity';
import {
  Membership,
  MembershipChanges,
  effectiveChanges,
  etagOf,
  fieldChanges,
  ifMatchSatisfied,
  isEmpty,
} from './membership';
import {
  DENIAL_DETAILS,
  changedMeanwhile,
  lastAdministrator,
  membershipNotFound,
  preconditionFailed,
} from './membership-errors';
import { MembershipChangedEvent, MembershipEvents } from './membership-events';
import { MembershipReferences } from './membership-references';
import {
  Actor,
  canDeleteMembership,
  canReadMembership,
  canRestoreMembership,
  isAdministrator,
  removesLastAdministrator,
  updateDenial,
  visibleGroups,
  withoutRights,
} from './membership.policy';
import { MembershipsRepository } from './memberships.repository';

export type UserReference = number | 'me';

export interface MembershipResult {
  view: MembershipView;
  etag: string;
}

const AUDIT_ACTION: Record<MembershipEvents, AuditAction> = {
  [MembershipEvents.Created]: AuditAction.MembershipCreated,
  [MembershipEvents.Updated]: AuditAction.MembershipUpdated,
  [MembershipEvents.Deleted]: AuditAction.MembershipDeleted,
  [MembershipEvents.Restored]: AuditAction.MembershipRestored,
};

/** A membership change as the audit trail and the in-process event both record it. */
export function membershipChange(
  auth: Pick<AuthContext, 'user' | 'requestId'>,
  name: MembershipEvents,
  membership: Membership,
  changes: FieldChanges,
): RecordedChange {
  return {
    audit: {
      organizationId: membership.organizationId,
      actorUserId: auth.user.id,
      targetUserId: membership.userId,
      action: AUDIT_ACTION[name],
      changes,
      requestId: auth.requestId,
      createdAt: membership.updatedAt,
    },
    event: {
      name,
      payload: new MembershipChangedEvent(
        name,
        membership.organizationId,
        membership.userId,
        auth.user.id,
        toMembershipView(membership),
        changes,
        auth.requestId,
      ),
    },
  };
}

/**
 * Memberships of the session's organization. Every change runs with its checks and its audit
 * event in one transaction (ChangeRecorder); every decision stands on the rights the caller has
 * when it commits (DESIGN 6).
 */
@Injectable()
export class UsersOrganizationsService {
  private readonly logger = new Logger(UsersOrganizationsService.name);

  constructor(
    private readonly recorder: ChangeRecorder,
    private readonly memberships: MembershipsRepository,
    private readonly references: MembershipReferences,
    private readonly users: UsersRepository,
    private readonly sessions: SessionsRepository,
  ) {}

  async get(auth: AuthContext, reference: UserReference): Promise<MembershipResult> {
    const target = await this.seenTarget(auth, reference);
    if (target === null) throw membershipNotFound();
    if (!canReadMembership(auth.membership, target)) {
      throw this.denied(auth, target.userId, ErrorCode.READ_FORBIDDEN);
    }
    return result(target);
  }

  async list(auth: AuthContext, query: ListMembershipsQuery): Promise<MembershipPage> {
    const administrator = isAdministrator(auth.membership);
    if (query.includeDeleted && !administrator) {
      throw this.denied(auth, null, ErrorCode.ADMIN_REQUIRED);
    }
    return paginate(
      query,
      PAGE_DEFAULT,
      ({ cursorId, limit }) =>
        this.memberships.list(auth.session.organizationId, {
          includeDeleted: query.includeDeleted ?? false,
          scope: query.scope,
          group: query.group,
          professionId: query.professionId,
          namePrefix: query.q,
          visibleTo: administrator
            ? undefined
            : { userId: auth.user.id, groups: visibleGroups(auth.membership) },
          afterId: cursorId,
          limit,
        }),
      toMembershipView,
    );
  }

  /**
   * The PATCH. It is judged first on what the session read (so a member asking for an
   * administrator's change is refused before taking any lock). A profile change then runs
   * optimistically: one UPDATE conditioned on the target's version and, when someone else acts,
   * on the caller's own version. Otherwise (or when either changed meanwhile) it locks and
   * judges again: admin-only changes lock the organization's administrator rows first (always
   * in id order, so two such requests cannot deadlock), then the target row; profile changes
   * lock the caller's and the target's rows.
   */
  async update(
    auth: AuthContext,
    reference: UserReference,
    requested: MembershipChanges,
    ifMatch: string | undefined,
  ): Promise<MembershipResult> {
    const adminOnly = requested.scope !== undefined || requested.permissions !== undefined;
    const seen = await this.seenTarget(auth, reference);
    if (seen === null) throw membershipNotFound();
    const denial = updateDenial(auth.membership, seen, requested);
    if (denial !== null) throw this.denied(auth, seen.userId, denial);
    if (!adminOnly) {
      const outcome = await this.updateOptimistically(auth, seen, requested, ifMatch);
      if (outcome !== null) return outcome;
    }
    return this.updateLocked(auth, seen.userId, requested, ifMatch, adminOnly);
  }

  /** Null when the target or the caller changed since the session's read. */
  private async updateOptimistically(
    auth: AuthContext,
    target: Membership,
    requested: MembershipChanges,
    ifMatch: string | undefined,
  ): Promise<MembershipResult | null> {
    if (!ifMatchSatisfied(ifMatch, etagOf(target))) throw preconditionFailed(target);
    const changes = effectiveChanges(target, requested);
    if (isEmpty(changes)) return result(target);
    const actor = target.userId === auth.user.id ? undefined : auth.membership;
    const updated = await this.recorder.run(async (executor) => {
      await this.references.check(executor, target.organizationId, changes, requested);
      const updatedAt = new Date();
      if (!(await this.memberships.update(executor, target, changes, updatedAt, actor))) {
        return { result: null, changes: [] };
      }
      const membership = { ...target, ...changes, version: target.version + 1, updatedAt };
      return {
        result: membership,
        changes: [
          membershipChange(
            auth,
            MembershipEvents.Updated,
            membership,
            fieldChanges(target, changes),
          ),
        ],
      };
    });
    return updated === null ? null : result(updated);
  }

  private async updateLocked(
    auth: AuthContext,
    targetUserId: number,
    requested: MembershipChanges,
    ifMatch: string | undefined,
    adminOnly: boolean,
  ): Promise<MembershipResult> {
    const organizationId = auth.session.organizationId;
    return this.change(auth, MembershipEvents.Updated, async (executor) => {
      const administrators = adminOnly
        ? await this.memberships.lockActiveAdministrators(executor, organizationId)
        : null;
      const { actor, target } =
        administrators === null
          ? await this.lockCallerAndTarget(executor, auth, targetUserId)
          : {
              actor: this.asLocked(auth, administrators),
              target: await this.memberships.findActive(organizationId, targetUserId, {
                executor,
                lock: true,
              }),
            };
      if (target === null) throw membershipNotFound();

      const denial = updateDenial(actor, target, requested);
      if (denial !== null) throw this.denied(auth, target.userId, denial);

      if (!ifMatchSatisfied(ifMatch, etagOf(target))) throw preconditionFailed(target);

      const changes = effectiveChanges(target, requested);
      if (isEmpty(changes)) return { membership: target, changes: null };

      await this.references.check(executor, organizationId, changes, requested);
      if (
        administrators !== null &&
        removesLastAdministrator(target, changes, administrators.length)
      ) {
        throw lastAdministrator();
      }

      const updatedAt = new Date();
      // The row was locked above, so this fails only on an engine without row locks.
      if (!(await this.memberships.update(executor, target, changes, updatedAt))) {
        throw changedMeanwhile();
      }
      return {
        membership: { ...target, ...changes, version: target.version + 1, updatedAt },
        changes: fieldChanges(target, changes),
      };
    });
  }

  /**
   * Soft delete, with the member's sessions in the organization revoked in the same step.
   * Removing someone else takes an administrator, refused before any lock; the administrator
   * rows are locked only when an administrator acts or the member leaving is one.
   */
  async remove(auth: AuthContext, reference: UserReference): Promise<void> {
    const organizationId = auth.session.organizationId;
    const seen = await this.seenTarget(auth, reference);
    if (seen === null) throw membershipNotFound();
    if (!canDeleteMembership(auth.membership, seen)) {
      throw this.denied(auth, seen.userId, ErrorCode.ADMIN_REQUIRED);
    }
    await this.change(auth, MembershipEvents.Deleted, async (executor) => {
      let administrators: number[] | null = null;
      let target: Membership | null;
      if (isAdministrator(auth.membership)) {
        administrators = await this.memberships.lockActiveAdministrators(executor, organizationId);
        target = await this.memberships.findActive(organizationId, seen.userId, {
          executor,
          lock: true,
        });
      } else {
        target = await this.memberships.findActive(organizationId, seen.userId, {
          executor,
          lock: true,
        });
        // Promoted since the session's read: the last-administrator rule applies after all.
        if (target !== null && isAdministrator(target)) {
          administrators = await this.memberships.lockActiveAdministrators(
            executor,
            organizationId,
          );
        }
      }
      if (target === null) throw membershipNotFound();
      const actor = administrators === null ? auth.membership : this.asLocked(auth, administrators);
      if (!canDeleteMembership(actor, target)) {
        throw this.denied(auth, target.userId, ErrorCode.ADMIN_REQUIRED);
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
      return {
        membership: { ...target, deletedAt, updatedAt: deletedAt, version: target.version + 1 },
        changes: { deletedAt: { before: null, after: deletedAt.toISOString() } },
      };
    });
  }

  async restore(auth: AuthContext, userId: number): Promise<MembershipResult> {
    const organizationId = auth.session.organizationId;
    if (!canRestoreMembership(auth.membership)) {
      throw this.denied(auth, userId, ErrorCode.ADMIN_REQUIRED);
    }
    return this.change(auth, MembershipEvents.Restored, async (executor) => {
      const caller = await this.memberships.findActive(organizationId, auth.user.id, {
        executor,
        lock: 'share',
      });
      if (caller === null || !canRestoreMembership(caller)) {
        throw this.denied(auth, userId, ErrorCode.ADMIN_REQUIRED);
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
      return {
        membership: { ...target, deletedAt: null, updatedAt, version: target.version + 1 },
        changes: { deletedAt: { before: target.deletedAt.toISOString(), after: null } },
      };
    });
  }

  /** One membership change and its audit event; `changes: null` marks a no-op. */
  private async change(
    auth: AuthContext,
    name: MembershipEvents,
    work: (
      executor: SqlExecutor,
    ) => Promise<{ membership: Membership; changes: FieldChanges | null }>,
  ): Promise<MembershipResult> {
    const membership = await this.recorder.run(async (executor) => {
      const outcome = await work(executor);
      return {
        result: outcome.membership,
        changes:
          outcome.changes === null
            ? []
            : [membershipChange(auth, name, outcome.membership, outcome.changes)],
      };
    });
    return result(membership);
  }

  /**
   * The target as the session guard read it with the session (routes naming a target), or read
   * now; null when it is not an active member of the organization.
   */
  private async seenTarget(auth: AuthContext, reference: UserReference) {
    const userId = reference === 'me' ? auth.user.id : reference;
    const seen =
      auth.target !== undefined
        ? auth.target
        : userId === auth.user.id
          ? auth.membership
          : await this.memberships.findActive(auth.session.organizationId, userId);
    return seen === null || seen.deletedAt !== null ? null : seen;
  }

  /**
   * The caller's row share-locked (its rights cannot change until the decision commits, while
   * concurrent requests of the same caller still go through), then the target's row locked.
   */
  private async lockCallerAndTarget(
    executor: SqlExecutor,
    auth: AuthContext,
    targetUserId: number,
  ): Promise<{ actor: Actor; target: Membership | null }> {
    const organizationId = auth.session.organizationId;
    const caller =
      targetUserId === auth.user.id
        ? null
        : await this.memberships.findActive(organizationId, auth.user.id, {
            executor,
            lock: 'share',
          });
    const target = await this.memberships.findActive(organizationId, targetUserId, {
      executor,
      lock: true,
    });
    // Removed meanwhile: the caller keeps no rights over anyone.
    const actor = targetUserId === auth.user.id ? target : caller;
    return { actor: actor ?? withoutRights(auth.membership), target };
  }

  /**
   * The caller as the locked administrator rows show it: a caller demoted a moment ago by a
   * concurrent request must not act as an administrator.
   */
  private asLocked(auth: AuthContext, administrators: number[]): Actor {
    return administrators.includes(auth.user.id)
      ? auth.membership
      : { ...auth.membership, scope: Scope.Member };
  }

  /** Refusals are logged for security review, never stored as changes. */
  private denied(auth: AuthContext, targetUserId: number | null, code: ErrorCode): AppException {
    this.logger.warn(
      `Denied ${code}: user ${auth.user.id} on ${targetUserId ?? 'the member list'} ` +
        `in organization ${auth.session.organizationId} (request ${auth.requestId})`,
    );
    return new AppException(code, DENIAL_DETAILS[code] ?? 'The caller may not do this.');
  }
}

function result(membership: Membership): MembershipResult {
  return { view: toMembershipView(membership), etag: etagOf(membership) };
}
