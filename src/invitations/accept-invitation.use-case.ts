import { Injectable } from '@nestjs/common';
import { ChangeRecorder } from '../audit';
import type { BearerContext } from '../auth';
import { AppException } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';
import type { SqlExecutor } from '../database';
import {
  toMembershipView,
  creationChanges,
  effectiveChanges,
  etagOf,
  fieldChanges,
  Membership,
  alreadyMember,
  changedMeanwhile,
  MembershipEvents,
  MembershipReferences,
  MembershipsRepository,
  membershipChange,
  MembershipResult,
} from '../users-organizations';
import { MyInvitationView, toInvitationView } from './dto/invitation.response';
import { InvitationStatus, invitationStatus } from './invitation';
import { InvitationEvents } from './invitation-events';
import { canAcceptByEmail } from './invitation.policy';
import { tokenHashOf } from './invitation-token';
import { StoredInvitation, InvitationsRepository } from './invitations.repository';
import { invitationChange } from './invitation-change';
import { gone } from './invitations.service';

const MY_INVITATIONS_LIMIT = 100;

/**
 * What an invitee does, with its bearer token alone: see the invitations addressed to its
 * verified email, and accept one, by id (that same email) or by token (whoever holds it).
 * Accepting creates the membership exactly as invited (or restores a removed one with the
 * invited profile), marks the invitation used and audits both, in one transaction.
 */
@Injectable()
export class AcceptInvitationUseCase {
  constructor(
    private readonly recorder: ChangeRecorder,
    private readonly invitations: InvitationsRepository,
    private readonly memberships: MembershipsRepository,
    private readonly references: MembershipReferences,
  ) {}

  async listMine(caller: BearerContext): Promise<MyInvitationView[]> {
    if (caller.verifiedEmailKey === null) return [];
    const now = new Date();
    const invitations = await this.invitations.listPendingFor(
      caller.verifiedEmailKey,
      now,
      MY_INVITATIONS_LIMIT,
    );
    return invitations.map((invitation) => ({
      ...toInvitationView(invitation, now),
      organizationName: invitation.organizationName,
    }));
  }

  /** Another address's invitation is answered as if it did not exist. */
  acceptById(caller: BearerContext, invitationId: number): Promise<MembershipResult> {
    return this.accept(caller, { id: invitationId }, (invitation) =>
      canAcceptByEmail(invitation, caller.verifiedEmailKey),
    );
  }

  /** A wrong token counts against the caller's address like a 401 (ErrorCode definition). */
  acceptByToken(caller: BearerContext, token: string): Promise<MembershipResult> {
    const tokenHash = tokenHashOf(token);
    return this.accept(caller, tokenHash === null ? null : { tokenHash }, () => true).catch(
      (error: unknown) => {
        if (error instanceof AppException && error.code === ErrorCode.INVITATION_NOT_FOUND) {
          throw new AppException(
            ErrorCode.INVITATION_TOKEN_INVALID,
            'No invitation has this token: check that it was copied whole.',
          );
        }
        throw error;
      },
    );
  }

  private async accept(
    caller: BearerContext,
    key: { id: number } | { tokenHash: string } | null,
    matches: (invitation: StoredInvitation) => boolean,
  ): Promise<MembershipResult> {
    const membership = await this.recorder.run(async (executor) => {
      const now = new Date();
      const invitation =
        key === null ? null : await this.invitations.findInActiveOrganization(executor, key);
      if (invitation === null || !matches(invitation)) {
        throw new AppException(
          ErrorCode.INVITATION_NOT_FOUND,
          'No invitation addressed to the verified email of this sign-in has that id.',
        );
      }
      if (
        invitationStatus(invitation, now) !== InvitationStatus.Pending ||
        !invitation.organizationActive
      ) {
        throw gone();
      }
      const { membership, name, changes } = await this.join(executor, caller, invitation, now);
      await this.invitations.markAccepted(executor, invitation.id, caller.user.id, now);
      const by = { actorUserId: caller.user.id, requestId: caller.requestId };
      const accepted = {
        ...invitation,
        acceptedAt: now,
        acceptedByUserId: caller.user.id,
        updatedAt: now,
      };
      return {
        result: membership,
        changes: [
          invitationChange(
            { ...by, targetUserId: caller.user.id },
            InvitationEvents.Accepted,
            accepted,
            {
              acceptedAt: { before: null, after: now.toISOString() },
              acceptedByUserId: { before: null, after: caller.user.id },
            },
          ),
          membershipChange(
            { user: caller.user, requestId: caller.requestId },
            name,
            membership,
            changes,
          ),
        ],
      };
    });
    return { view: toMembershipView(membership), etag: etagOf(membership) };
  }

  /** The invitee's membership, new or restored, with exactly the invited profile. */
  private async join(
    executor: SqlExecutor,
    caller: BearerContext,
    invitation: StoredInvitation,
    now: Date,
  ) {
    const { organizationId } = invitation;
    const profile = {
      scope: invitation.scope,
      firstName: invitation.firstName,
      lastName: invitation.lastName,
      professionId: invitation.professionId,
      permissions: invitation.permissions,
    };
    const existing = await this.memberships.find(organizationId, caller.user.id, {
      executor,
      lock: true,
    });
    if (existing !== null && existing.deletedAt === null) throw alreadyMember();
    await this.references.check(executor, organizationId, profile);
    if (existing === null) {
      await this.memberships.insert(executor, {
        ...profile,
        userId: caller.user.id,
        organizationId,
        createdAt: now,
      });
    } else if (!(await this.memberships.restoreWithProfile(executor, existing, profile, now))) {
      throw changedMeanwhile();
    }
    const membership = (await this.memberships.findActive(organizationId, caller.user.id, {
      executor,
    })) as Membership;
    const changes =
      existing === null
        ? creationChanges(membership)
        : {
            deletedAt: { before: existing.deletedAt?.toISOString() ?? null, after: null },
            ...fieldChanges(existing, effectiveChanges(existing, profile)),
          };
    return {
      membership,
      name: existing === null ? MembershipEvents.Created : MembershipEvents.Restored,
      changes,
    };
  }
}
