import { Injectable } from '@nestjs/common';
import { ChangeRecorder } from '../../audit';
import type { SqlExecutor } from '../../database';
import {
  effectiveChanges,
  etagOf,
  fieldChanges,
  ifMatchSatisfied,
  isEmpty,
  Membership,
  MembershipChanges,
} from '../membership';
import { InviterRights } from '../inviter-rights';
import type { MemberContext } from '../member-context';
import { MembershipAccess, UserReference } from '../membership-access';
import { membershipChange, MembershipResult, membershipResult } from '../membership-change';
import {
  changedMeanwhile,
  lastAdministrator,
  membershipNotFound,
  preconditionFailed,
} from '../membership-errors';
import { MembershipEvents } from '../membership-events';
import { MembershipReferences } from '../membership-references';
import {
  Actor,
  isAdministrator,
  removesLastAdministrator,
  updateDenial,
  withoutRights,
} from '../membership.policy';
import { MembershipsRepository } from '../memberships.repository';

/**
 * The PATCH. It is judged first on what the session read (so a member asking for an
 * administrator's change is refused before taking any lock). A profile change then runs
 * optimistically: one UPDATE conditioned on the target's version and, when someone else acts,
 * on the caller's own version. Otherwise (or when either changed meanwhile) it locks and judges
 * again: admin-only changes lock the organization's administrator rows first (always in id
 * order, so two such requests cannot deadlock), then the target row; profile changes share-lock
 * the caller's row and lock the target's.
 */
@Injectable()
export class UpdateMembershipUseCase {
  constructor(
    private readonly recorder: ChangeRecorder,
    private readonly access: MembershipAccess,
    private readonly memberships: MembershipsRepository,
    private readonly references: MembershipReferences,
    private readonly inviterRights: InviterRights,
  ) {}

  async execute(
    auth: MemberContext,
    reference: UserReference,
    requested: MembershipChanges,
    ifMatch: string | undefined,
  ): Promise<MembershipResult> {
    const adminOnly = requested.scope !== undefined || requested.permissions !== undefined;
    const seen = await this.access.seenTarget(auth, reference);
    if (seen === null) throw membershipNotFound();
    const denial = updateDenial(auth.membership, seen, requested);
    if (denial !== null) throw this.access.denied(auth, seen.userId, denial);
    if (!adminOnly) {
      const outcome = await this.optimistically(auth, seen, requested, ifMatch);
      if (outcome !== null) return outcome;
    }
    return this.locked(auth, seen.userId, requested, ifMatch, adminOnly);
  }

  /** Null when the target or the caller changed since the session's read. */
  private async optimistically(
    auth: MemberContext,
    target: Membership,
    requested: MembershipChanges,
    ifMatch: string | undefined,
  ): Promise<MembershipResult | null> {
    if (!ifMatchSatisfied(ifMatch, etagOf(target))) throw preconditionFailed(target);
    const changes = effectiveChanges(target, requested);
    if (isEmpty(changes)) return membershipResult(target);
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
    return updated === null ? null : membershipResult(updated);
  }

  private async locked(
    auth: MemberContext,
    targetUserId: number,
    requested: MembershipChanges,
    ifMatch: string | undefined,
    adminOnly: boolean,
  ): Promise<MembershipResult> {
    const organizationId = auth.session.organizationId;
    const membership = await this.recorder.run(async (executor) => {
      const administrators = adminOnly
        ? await this.memberships.lockActiveAdministrators(executor, organizationId)
        : null;
      const { actor, target } =
        administrators === null
          ? await this.lockCallerAndTarget(executor, auth, targetUserId)
          : {
              actor: this.access.asLocked(auth, administrators),
              target: await this.memberships.findActive(organizationId, targetUserId, {
                executor,
                lock: true,
              }),
            };
      if (target === null) throw membershipNotFound();

      const denial = updateDenial(actor, target, requested);
      if (denial !== null) throw this.access.denied(auth, target.userId, denial);

      if (!ifMatchSatisfied(ifMatch, etagOf(target))) throw preconditionFailed(target);

      const changes = effectiveChanges(target, requested);
      if (isEmpty(changes)) return { result: target, changes: [] };

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
      const updated = { ...target, ...changes, version: target.version + 1, updatedAt };
      // A demoted administrator's pending invitations end with its right to invite (DESIGN 8b).
      const revoked =
        isAdministrator(target) && !isAdministrator(updated)
          ? await this.inviterRights.ended(executor, organizationId, target.userId, updatedAt, {
              actorUserId: auth.user.id,
              requestId: auth.requestId,
            })
          : [];
      return {
        result: updated,
        changes: [
          membershipChange(auth, MembershipEvents.Updated, updated, fieldChanges(target, changes)),
          ...revoked,
        ],
      };
    });
    return membershipResult(membership);
  }

  /**
   * The caller's row share-locked (its rights cannot change until the decision commits, while
   * concurrent requests of the same caller still go through), then the target's row locked.
   */
  private async lockCallerAndTarget(
    executor: SqlExecutor,
    auth: MemberContext,
    targetUserId: number,
  ): Promise<{ actor: Actor; target: Membership | null }> {
    const organizationId = auth.session.organizationId;
    const self = targetUserId === auth.user.id;
    const caller = self
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
    return { actor: (self ? target : caller) ?? withoutRights(auth.membership), target };
  }
}
