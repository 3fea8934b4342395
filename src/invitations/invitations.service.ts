import { Injectable } from '@nestjs/common';
import { FieldChanges, ChangeRecorder, RecordedChange } from '../audit';
import type { AuthContext } from '../auth';
import { AppException } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';
import { paginate } from '../common/pagination/cursor';
import { PAGE_DEFAULT } from '../common/pagination/page.query';
import { emailKey } from '../common/validation/email-key';
import { AppConfig } from '../config';
import { isUniqueViolation, type SqlExecutor } from '../database';
import { sortedIds, MembershipReferences } from '../users-organizations';
import { CreateInvitationDto, DEFAULT_INVITATION_SECONDS } from './dto/create-invitation.dto';
import { InvitationPage, IssuedInvitationView, toInvitationView } from './dto/invitation.response';
import type { ListInvitationsQuery } from './dto/list-invitations.query';
import { Invitation, InvitationStatus, invitationStatus } from './invitation';
import { InvitationEvents } from './invitation-events';
import { invitationToken, newInvitationSecret } from './invitation-token';
import { creationChanges, invitationChange, Inviter, inviterOf } from './invitation-change';
import { InvitationsRepository } from './invitations.repository';

/**
 * What administrators do with their organization's invitations. Nothing here reads or tells
 * anything about users outside the organization: the only user lookup asks whether an active
 * member of this organization has the address.
 */
@Injectable()
export class InvitationsService {
  constructor(
    private readonly config: AppConfig,
    private readonly recorder: ChangeRecorder,
    private readonly invitations: InvitationsRepository,
    private readonly references: MembershipReferences,
  ) {}

  /**
   * `admitted` runs first in the transaction, for what only some inviters must check (a
   * service: the organization's state and its administrators).
   */
  async create(
    inviter: Inviter,
    body: CreateInvitationDto,
    admitted: (executor: SqlExecutor) => Promise<void> = async () => {},
  ): Promise<IssuedInvitationView> {
    const organizationId = inviter.organizationId;
    const key = emailKey(body.email) as string;
    const permissions = body.permissions ?? { group: null, read: [], manage: [] };
    const now = new Date();
    const { secret, hash } = newInvitationSecret();
    try {
      return await this.recorder.run(async (executor) => {
        await admitted(executor);
        if (await this.invitations.isActiveMemberEmail(executor, organizationId, key)) {
          throw new AppException(
            ErrorCode.ALREADY_MEMBER,
            'An active member of this organization signed in with this email.',
          );
        }
        await this.closeIfExpired(executor, organizationId, key, now);
        await this.references.check(executor, organizationId, {
          professionId: body.professionId ?? null,
          permissions,
        });
        const invitation = await this.invitations.insert(executor, {
          organizationId,
          email: body.email.trim(),
          emailKey: key,
          scope: body.scope,
          firstName: body.firstName,
          lastName: body.lastName,
          professionId: body.professionId ?? null,
          permissions: {
            group: permissions.group,
            read: sortedIds(permissions.read),
            manage: sortedIds(permissions.manage),
          },
          invitedByUserId: inviter.actorUserId,
          tokenHash: hash,
          expiresAt: new Date(
            now.getTime() + (body.expiresInSeconds ?? DEFAULT_INVITATION_SECONDS) * 1000,
          ),
          createdAt: now,
        });
        const issued = this.issued(invitation, secret, now);
        return {
          result: issued,
          changes: [
            this.change(
              inviter,
              InvitationEvents.Created,
              invitation,
              creationChanges(invitation),
              {
                token: issued.token,
                acceptUrl: issued.acceptUrl,
              },
            ),
          ],
        };
      });
    } catch (error) {
      // Two administrators inviting the same address at once: the unique index decides.
      if (isUniqueViolation(error)) throw pending();
      throw error;
    }
  }

  async list(auth: AuthContext, query: ListInvitationsQuery): Promise<InvitationPage> {
    const now = new Date();
    return paginate(
      query,
      PAGE_DEFAULT,
      ({ cursorId, limit }) =>
        this.invitations.list(auth.session.organizationId, {
          status: query.status,
          beforeId: cursorId,
          limit,
          now,
        }),
      (invitation) => toInvitationView(invitation, now),
    );
  }

  /** Only a pending invitation can be revoked; any other is gone already (410). */
  async revoke(auth: AuthContext, invitationId: number): Promise<void> {
    await this.recorder.run(async (executor) => {
      const now = new Date();
      const invitation = await this.findOwn(executor, auth, invitationId);
      if (invitationStatus(invitation, now) !== InvitationStatus.Pending) throw gone();
      await this.invitations.close(executor, invitation.id, now, now);
      const revoked = { ...invitation, revokedAt: now, updatedAt: now };
      return {
        result: undefined,
        changes: [
          this.change(inviterOf(auth), InvitationEvents.Revoked, revoked, {
            revokedAt: { before: null, after: now.toISOString() },
          }),
        ],
      };
    });
  }

  /**
   * A new token (the old one stops working) and a new expiry, 7 days from now. An expired
   * invitation can be resent; an accepted or revoked one is gone (410).
   */
  async resend(auth: AuthContext, invitationId: number): Promise<IssuedInvitationView> {
    const { secret, hash } = newInvitationSecret();
    try {
      return await this.recorder.run(async (executor) => {
        const now = new Date();
        const invitation = await this.findOwn(executor, auth, invitationId);
        const status = invitationStatus(invitation, now);
        if (status !== InvitationStatus.Pending && status !== InvitationStatus.Expired) {
          throw gone();
        }
        const expiresAt = new Date(now.getTime() + DEFAULT_INVITATION_SECONDS * 1000);
        await this.invitations.renew(executor, invitation, hash, expiresAt, now);
        const renewed = { ...invitation, expiresAt, updatedAt: now };
        const issued = this.issued(renewed, secret, now);
        return {
          result: issued,
          changes: [
            this.change(
              inviterOf(auth),
              InvitationEvents.Resent,
              renewed,
              {
                expiresAt: {
                  before: invitation.expiresAt.toISOString(),
                  after: expiresAt.toISOString(),
                },
              },
              { token: issued.token, acceptUrl: issued.acceptUrl },
            ),
          ],
        };
      });
    } catch (error) {
      // An expired invitation superseded by a newer one cannot be reopened beside it.
      if (isUniqueViolation(error)) throw pending();
      throw error;
    }
  }

  /** A pending invitation blocks a new one; an expired one still open is closed first. */
  private async closeIfExpired(
    executor: SqlExecutor,
    organizationId: number,
    key: string,
    now: Date,
  ): Promise<void> {
    const open = await this.invitations.findOpen(executor, organizationId, key);
    if (open === null) return;
    if (invitationStatus(open, now) === InvitationStatus.Pending) throw pending();
    await this.invitations.close(executor, open.id, null, now);
  }

  private async findOwn(executor: SqlExecutor, auth: AuthContext, invitationId: number) {
    const invitation = await this.invitations.find(executor, invitationId, {
      organizationId: auth.session.organizationId,
      lock: true,
    });
    if (invitation === null) throw notFound();
    return invitation;
  }

  private issued(invitation: Invitation, secret: string, now: Date): IssuedInvitationView {
    const token = invitationToken(secret);
    const template = this.config.invitationAcceptUrl;
    return {
      ...toInvitationView(invitation, now),
      token,
      acceptUrl:
        template === undefined ? null : template.replace('{token}', encodeURIComponent(token)),
    };
  }

  private change(
    inviter: Inviter,
    name: InvitationEvents,
    invitation: Invitation,
    changes: FieldChanges,
    delivery?: { token: string; acceptUrl: string | null },
  ): RecordedChange {
    return invitationChange(inviter, name, invitation, changes, delivery);
  }
}

export function notFound(): AppException {
  return new AppException(
    ErrorCode.INVITATION_NOT_FOUND,
    'No invitation of this organization has that id.',
  );
}

export function gone(): AppException {
  return new AppException(
    ErrorCode.INVITATION_GONE,
    'The invitation has expired, was revoked or was accepted already.',
  );
}

function pending(): AppException {
  return new AppException(
    ErrorCode.INVITATION_PENDING,
    'This email has a pending invitation to this organization: resend it instead ' +
      '(POST /users-organizations/v1/rs/invitations/{id}/resend).',
  );
}
