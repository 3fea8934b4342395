import { Injectable } from '@nestjs/common';
import { ChangeRecorder } from '../audit';
import { type BearerContext, mfaRequired, type ServiceContext, SessionsRepository } from '../auth';
import { AppException } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';
import { AppConfig } from '../config';
import { UsersRepository } from '../users';
import { InviterRights, MembershipsRepository } from '../users-organizations';
import { ErasureRepository } from './erasure.repository';
import { organizationsLeftWithoutAdministrator, signInIsRecent } from './erasure.policy';
import { type ErasedBy, userErased } from './user-erased.event';

const userNotFound = () =>
  new AppException(ErrorCode.USER_NOT_FOUND, 'No user has that identity here (or it was erased).');

/**
 * Erasure (DESIGN 15): in one transaction, the person's memberships, sessions, invitations,
 * user row and own values in the audit trail; then one `user.erased` per organization through
 * the outbox. Refused while the person is the last administrator of an organization.
 */
@Injectable()
export class ErasureService {
  private readonly maxAuthAge: number;
  private readonly acrValues: string[];
  private readonly defaultIssuer: string;

  constructor(
    private readonly recorder: ChangeRecorder,
    private readonly erasure: ErasureRepository,
    private readonly memberships: MembershipsRepository,
    private readonly inviterRights: InviterRights,
    private readonly sessions: SessionsRepository,
    private readonly users: UsersRepository,
    config: AppConfig,
  ) {
    this.maxAuthAge = config.auth.erasureMaxAuthAgeSeconds;
    this.acrValues = config.auth.mfaAcrValues;
    this.defaultIssuer = config.auth.defaultIssuer;
  }

  /** DELETE .../rs/me: a recent sign-in, and a second factor where an organization needs one. */
  async eraseSelf(caller: BearerContext): Promise<void> {
    if (!signInIsRecent(caller.authTime, Math.floor(Date.now() / 1000), this.maxAuthAge)) {
      throw new AppException(
        ErrorCode.RECENT_SIGN_IN_REQUIRED,
        `Sign in again: erasing yourself needs a sign-in at most ${this.maxAuthAge} s old (auth_time).`,
        {
          headers: {
            'WWW-Authenticate': `Bearer error="insufficient_user_authentication", error_description="A more recent authentication is required", max_age=${this.maxAuthAge}`,
          },
        },
      );
    }
    if (!caller.mfa && (await this.erasure.requiresSecondFactor(caller.user.id))) {
      throw mfaRequired(
        this.acrValues,
        'An organization of yours requires a second factor: sign in with one to erase yourself.',
      );
    }
    await this.erase(caller.user.id, {
      actorUserId: caller.user.id,
      actorClientId: null,
      requestId: caller.requestId,
    });
  }

  /** POST .../svc/users/erase: by user id, or by the identity provider's issuer and subject. */
  async eraseByOperator(
    service: ServiceContext,
    who: { userId?: number; issuer?: string; subject?: string },
  ): Promise<number> {
    if (service.organizations !== '*') {
      throw new AppException(
        ErrorCode.INSUFFICIENT_SCOPE,
        'Erasing a person reaches every organization: the client\'s SERVICE_CLIENTS entry must list "*".',
      );
    }
    const userId =
      who.userId ??
      (await this.users.findActive(who.issuer ?? this.defaultIssuer, who.subject as string))?.id;
    if (userId === undefined) throw userNotFound();
    await this.erase(userId, {
      actorUserId: null,
      actorClientId: service.clientId,
      requestId: service.requestId,
    });
    return userId;
  }

  private async erase(userId: number, by: ErasedBy): Promise<void> {
    await this.recorder.run(async (executor) => {
      const person = await this.erasure.lockPerson(executor, userId);
      if (person === null) throw userNotFound();
      const memberships = await this.erasure.lockMemberships(executor, userId);
      const administered = memberships
        .filter((membership) => membership.active && membership.administrator)
        .map((membership) => membership.organizationId)
        .sort((a, b) => a - b);
      const administrators = new Map<number, number[]>();
      for (const organizationId of administered) {
        administrators.set(
          organizationId,
          await this.memberships.lockActiveAdministrators(executor, organizationId),
        );
      }
      const orphaned = organizationsLeftWithoutAdministrator(userId, administrators);
      if (orphaned.length > 0) {
        throw new AppException(
          ErrorCode.LAST_ADMIN,
          `The person is the last active administrator of organization ${orphaned.join(', ')}: ` +
            'make someone else an administrator first.',
        );
      }
      const invitations = await this.erasure.lockInvitations(executor, person.emailKey, userId);
      const at = new Date();
      const revoked = [];
      for (const organizationId of administered) {
        revoked.push(...(await this.inviterRights.ended(executor, organizationId, userId, at, by)));
      }
      await this.erasure.eraseMemberships(executor, userId, at);
      await this.sessions.revokeUser(executor, userId, at);
      for (const invitation of invitations) {
        await this.erasure.eraseInvitation(executor, invitation.id, at);
      }
      await this.erasure.eraseAuditRows(
        executor,
        userId,
        invitations.map((invitation) => invitation.id),
      );
      await this.erasure.eraseUser(executor, userId, at);
      const organizations = [
        ...new Set([
          ...memberships.map((membership) => membership.organizationId),
          ...invitations.map((invitation) => invitation.organizationId),
        ]),
      ].sort((a, b) => a - b);
      return {
        result: undefined,
        changes: [
          ...revoked,
          ...organizations.map((organizationId) => userErased(by, organizationId, userId, at)),
        ],
      };
    });
  }
}
