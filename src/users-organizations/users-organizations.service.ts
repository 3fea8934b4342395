import { Injectable, Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { AuditAction, FieldChanges } from '../audit/audit-event';
import { AuditRepository } from '../audit/audit.repository';
import type { AuthContext } from '../auth/auth-context';
import { SessionsRepository } from '../auth/sessions.repository';
import { AppException } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';
import { paginate } from '../common/pagination/cursor';
import { PAGE_DEFAULT } from '../common/pagination/page.query';
import { isUniqueViolation } from '../database/database-errors';
import { DatabaseService, SqlExecutor } from '../database/database.service';
import type { NewMembershipRequest } from './dto/create-membership.dto';
import type { ListMembershipsQuery } from './dto/list-memberships.query';
import { MembershipPage, MembershipView, toMembershipView } from './dto/membership.response';
import { Scope } from './entities/membership.entity';
import {
  Membership,
  MembershipChanges,
  Permissions,
  effectiveChanges,
  etagOf,
  fieldChanges,
  ifMatchSatisfied,
  isEmpty,
} from './membership';
import { MembershipChangedEvent, MembershipEvents } from './membership-events';
import {
  canDeleteMembership,
  canReadMembership,
  isAdministrator,
  removesLastAdministrator,
  updateDenial,
  visibleGroups,
} from './membership.policy';
import { MembershipsRepository } from './memberships.repository';
import { invitedSubject, UserRecord, UsersRepository } from './users.repository';

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

/**
 * Memberships of the session's organization. Every change runs with its checks and its audit
 * event in one transaction, so a refused or failed request changes nothing and leaves no event;
 * the domain event is published only after the commit.
 */
@Injectable()
export class UsersOrganizationsService {
  private readonly logger = new Logger(UsersOrganizationsService.name);

  constructor(
    private readonly database: DatabaseService,
    private readonly memberships: MembershipsRepository,
    private readonly users: UsersRepository,
    private readonly sessions: SessionsRepository,
    private readonly audit: AuditRepository,
    private readonly events: EventEmitter2,
  ) {}

  async get(auth: AuthContext, reference: UserReference): Promise<MembershipResult> {
    // The session guard read the target with the session (auth.target), when the route asked.
    const target =
      auth.target !== undefined
        ? auth.target?.deletedAt === null
          ? auth.target
          : null
        : reference === 'me' || reference === auth.user.id
          ? auth.membership
          : await this.memberships.findActive(auth.session.organizationId, reference);
    if (target === null) throw notFound();
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

  /** Administrators add a user by id, or by email (creating the user if it is new). */
  async create(auth: AuthContext, request: NewMembershipRequest): Promise<MembershipResult> {
    const organizationId = auth.session.organizationId;
    try {
      return await this.change(auth, MembershipEvents.Created, async (executor) => {
        const user = await this.resolveUser(executor, request);
        const existing = await this.memberships.find(organizationId, user.id, { executor });
        if (existing !== null) {
          throw existing.deletedAt === null
            ? new AppException(ErrorCode.ALREADY_MEMBER, 'The user is already a member.')
            : new AppException(
                ErrorCode.MEMBERSHIP_DELETED,
                `The membership was deleted: restore it with POST /users-organizations/v1/rs/users/${user.id}/restore.`,
              );
        }
        const profile = {
          professionId: request.professionId,
          permissions: request.permissions,
        };
        await this.checkReferences(executor, organizationId, profile, profile);
        const createdAt = new Date();
        await this.memberships.insert(executor, {
          ...request,
          userId: user.id,
          organizationId,
          createdAt,
        });
        const created = (await this.memberships.findActive(organizationId, user.id, {
          executor,
        })) as Membership;
        return { membership: created, changes: creationChanges(created) };
      });
    } catch (error) {
      // Two administrators adding the same user at once: the unique index decides.
      if (isUniqueViolation(error)) {
        throw new AppException(ErrorCode.ALREADY_MEMBER, 'The user is already a member.');
      }
      throw error;
    }
  }

  /**
   * The PATCH. A profile change whose target came with the session runs optimistically: one
   * UPDATE conditioned on the version that was read, no lock. Otherwise (or when that version is
   * stale) it locks: admin-only changes lock the organization's administrator rows first
   * (always in id order, so two such requests cannot deadlock), then the target row.
   */
  async update(
    auth: AuthContext,
    reference: UserReference,
    requested: MembershipChanges,
    ifMatch: string | undefined,
  ): Promise<MembershipResult> {
    const adminOnly = requested.scope !== undefined || requested.permissions !== undefined;
    if (!adminOnly && auth.target !== undefined) {
      const outcome = await this.updateProfile(auth, auth.target, requested, ifMatch);
      if (outcome !== STALE) return outcome;
    }
    return this.updateLocked(auth, reference, requested, ifMatch, adminOnly);
  }

  private async updateProfile(
    auth: AuthContext,
    seen: Membership | null,
    requested: MembershipChanges,
    ifMatch: string | undefined,
  ): Promise<MembershipResult | typeof STALE> {
    if (seen === null || seen.deletedAt !== null) throw notFound();
    const target = seen;
    const denial = updateDenial(auth.membership, target, requested);
    if (denial !== null) throw this.denied(auth, target.userId, denial);
    if (!ifMatchSatisfied(ifMatch, etagOf(target))) throw preconditionFailed(target);
    const changes = effectiveChanges(target, requested);
    if (isEmpty(changes)) return result(target);
    try {
      return await this.change(auth, MembershipEvents.Updated, async (executor) => {
        await this.checkReferences(executor, target.organizationId, changes, requested);
        const updatedAt = new Date();
        if (!(await this.memberships.update(executor, target, changes, updatedAt))) {
          throw new StaleTargetError();
        }
        return {
          membership: { ...target, ...changes, version: target.version + 1, updatedAt },
          changes: fieldChanges(target, changes),
        };
      });
    } catch (error) {
      // Changed since the session's read: judge again on the locked, current row.
      if (error instanceof StaleTargetError) return STALE;
      throw error;
    }
  }

  private async updateLocked(
    auth: AuthContext,
    reference: UserReference,
    requested: MembershipChanges,
    ifMatch: string | undefined,
    adminOnly: boolean,
  ): Promise<MembershipResult> {
    const organizationId = auth.session.organizationId;
    const targetUserId = reference === 'me' ? auth.user.id : reference;

    return this.change(auth, MembershipEvents.Updated, async (executor) => {
      const administrators = adminOnly
        ? await this.memberships.lockActiveAdministrators(executor, organizationId)
        : null;
      const target = await this.memberships.findActive(organizationId, targetUserId, {
        executor,
        lock: true,
      });
      if (target === null) throw notFound();

      const denial = updateDenial(this.actor(auth, administrators), target, requested);
      if (denial !== null) throw this.denied(auth, target.userId, denial);

      if (!ifMatchSatisfied(ifMatch, etagOf(target))) throw preconditionFailed(target);

      const changes = effectiveChanges(target, requested);
      if (isEmpty(changes)) return { membership: target, changes: null };

      await this.checkReferences(executor, organizationId, changes, requested);
      if (
        administrators !== null &&
        removesLastAdministrator(target, changes, administrators.length)
      ) {
        throw lastAdministrator();
      }

      const updatedAt = new Date();
      if (!(await this.memberships.update(executor, target, changes, updatedAt))) {
        // The row was locked above, so this only happens on an engine without row locks.
        throw new AppException(ErrorCode.CONFLICT, 'The membership changed meanwhile; retry.');
      }
      return {
        membership: { ...target, ...changes, version: target.version + 1, updatedAt },
        changes: fieldChanges(target, changes),
      };
    });
  }

  /** Soft delete, with the member's sessions in the organization revoked in the same step. */
  async remove(auth: AuthContext, reference: UserReference): Promise<void> {
    const organizationId = auth.session.organizationId;
    const targetUserId = reference === 'me' ? auth.user.id : reference;
    await this.change(auth, MembershipEvents.Deleted, async (executor) => {
      const administrators = await this.memberships.lockActiveAdministrators(
        executor,
        organizationId,
      );
      const target = await this.memberships.findActive(organizationId, targetUserId, {
        executor,
        lock: true,
      });
      if (target === null) throw notFound();
      if (!canDeleteMembership(this.actor(auth, administrators), target)) {
        throw this.denied(auth, target.userId, ErrorCode.ADMIN_REQUIRED);
      }
      if (removesLastAdministrator(target, { scope: Scope.Member }, administrators.length)) {
        throw lastAdministrator();
      }
      const deletedAt = new Date();
      if (!(await this.memberships.setDeletedAt(executor, target, deletedAt, deletedAt))) {
        throw new AppException(ErrorCode.CONFLICT, 'The membership changed meanwhile; retry.');
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
    return this.change(auth, MembershipEvents.Restored, async (executor) => {
      const target = await this.memberships.find(organizationId, userId, { executor, lock: true });
      if (target === null || (await this.users.findActiveById(executor, userId)) === null) {
        throw notFound();
      }
      if (target.deletedAt === null) {
        throw new AppException(ErrorCode.MEMBERSHIP_ACTIVE, 'The membership is active already.');
      }
      const updatedAt = new Date();
      if (!(await this.memberships.setDeletedAt(executor, target, null, updatedAt))) {
        throw new AppException(ErrorCode.CONFLICT, 'The membership changed meanwhile; retry.');
      }
      return {
        membership: { ...target, deletedAt: null, updatedAt, version: target.version + 1 },
        changes: { deletedAt: { before: target.deletedAt.toISOString(), after: null } },
      };
    });
  }

  /**
   * Runs one membership change: its work, then its audit event, in one transaction; then the
   * domain event. `changes: null` marks a no-op: nothing audited, nothing published.
   */
  private async change(
    auth: AuthContext,
    name: MembershipEvents,
    work: (
      executor: SqlExecutor,
    ) => Promise<{ membership: Membership; changes: FieldChanges | null }>,
  ): Promise<MembershipResult> {
    const { membership, changes } = await this.database.transaction(async (executor) => {
      const outcome = await work(executor);
      if (outcome.changes !== null) {
        await this.audit.record(executor, {
          organizationId: outcome.membership.organizationId,
          actorUserId: auth.user.id,
          targetUserId: outcome.membership.userId,
          action: AUDIT_ACTION[name],
          changes: outcome.changes,
          requestId: auth.requestId,
          createdAt: outcome.membership.updatedAt,
        });
      }
      return outcome;
    });
    const outcome = result(membership);
    if (changes !== null) {
      this.publish(
        new MembershipChangedEvent(
          name,
          membership.organizationId,
          membership.userId,
          auth.user.id,
          outcome.view,
          changes,
          auth.requestId,
        ),
      );
    }
    return outcome;
  }

  private publish(event: MembershipChangedEvent): void {
    try {
      this.events.emit(event.name, event);
    } catch (error) {
      // The change is committed; a failing listener must not turn it into an error response.
      this.logger.error(
        `A listener of ${event.name} failed`,
        error instanceof Error ? error.stack : String(error),
      );
    }
  }

  /**
   * The caller as the locked rows show it: a caller demoted a moment ago by a concurrent
   * request must not act as an administrator.
   */
  private actor(auth: AuthContext, administrators: number[] | null) {
    return administrators !== null && !administrators.includes(auth.user.id)
      ? { ...auth.membership, scope: Scope.Member }
      : auth.membership;
  }

  /** Refusals are logged for security review, never stored as changes. */
  private denied(auth: AuthContext, targetUserId: number | null, code: ErrorCode): AppException {
    this.logger.warn(
      `Denied ${code}: user ${auth.user.id} on ${targetUserId ?? 'the member list'} ` +
        `in organization ${auth.session.organizationId} (request ${auth.requestId})`,
    );
    return new AppException(code, DENIAL_DETAILS[code] ?? 'The caller may not do this.');
  }

  private async resolveUser(
    executor: SqlExecutor,
    request: NewMembershipRequest,
  ): Promise<UserRecord> {
    const selector = request.user;
    if ('userId' in selector) {
      const user = await this.users.findActiveById(executor, selector.userId);
      if (user === null) {
        throw new AppException(ErrorCode.USER_NOT_FOUND, `No user has the id ${selector.userId}.`, {
          errors: [{ field: 'userId', message: 'does not name a user' }],
        });
      }
      return user;
    }
    const known = await this.users.findActiveByEmail(executor, selector.email);
    if (known !== null) return known;
    try {
      return await this.users.insert(executor, {
        subject: selector.subject ?? invitedSubject(),
        email: selector.email,
        createdAt: new Date(),
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new AppException(
          ErrorCode.EMAIL_TAKEN,
          'A deleted user or another subject already holds this email or subject.',
        );
      }
      throw error;
    }
  }

  private async checkReferences(
    executor: SqlExecutor,
    organizationId: number,
    changes: { professionId?: number | null; permissions?: Permissions },
    requested: { permissions?: Permissions },
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

const DENIAL_DETAILS: Partial<Record<ErrorCode, string>> = {
  [ErrorCode.READ_FORBIDDEN]: "The caller's permissions do not cover this member's group.",
  [ErrorCode.ADMIN_REQUIRED]: 'Only administrators of the organization may do this.',
  [ErrorCode.SCOPE_CHANGE_FORBIDDEN]: 'Only administrators of the organization may change a scope.',
  [ErrorCode.PERMISSIONS_CHANGE_FORBIDDEN]:
    'Only administrators of the organization may change permissions.',
  [ErrorCode.PROFILE_CHANGE_FORBIDDEN]:
    "Only the member, an administrator, or a manager of the member's group may change this profile.",
};

/** A creation in the audit trail: every initial value, each with `before: null`. */
function creationChanges(membership: Membership): FieldChanges {
  const { firstName, lastName, professionId, scope, permissions } = membership;
  return Object.fromEntries(
    Object.entries({ firstName, lastName, professionId, scope, permissions }).map(
      ([field, after]) => [field, { before: null, after }],
    ),
  );
}

const STALE = Symbol('stale');

class StaleTargetError extends Error {}

function preconditionFailed(target: Membership): AppException {
  return new AppException(
    ErrorCode.PRECONDITION_FAILED,
    `The membership's current ETag is ${etagOf(target)}.`,
  );
}

function notFound(): AppException {
  return new AppException(
    ErrorCode.MEMBERSHIP_NOT_FOUND,
    'No active member of this organization has that user id.',
  );
}

function lastAdministrator(): AppException {
  return new AppException(
    ErrorCode.LAST_ADMIN,
    'This member is the last active administrator of the organization.',
  );
}

function result(membership: Membership): MembershipResult {
  return { view: toMembershipView(membership), etag: etagOf(membership) };
}
