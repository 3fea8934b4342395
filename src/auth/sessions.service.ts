import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { AuditAction, ChangeRecorder } from '../audit';
import { AppException } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';
import { AppConfig } from '../config';
import type { AuthContext, BearerContext } from './auth-context';
import { SessionView } from './dto/session.response';
import { SessionContextResolver } from './session-context';
import { SessionTokenService } from './session-token.service';
import { mfaRequired } from './second-factor';
import { SessionsRepository } from './sessions.repository';

/** Sessions open and end with their audit row, in one transaction (ChangeRecorder). */
@Injectable()
export class SessionsService {
  constructor(
    private readonly config: AppConfig,
    private readonly recorder: ChangeRecorder,
    private readonly contexts: SessionContextResolver,
    private readonly sessions: SessionsRepository,
    private readonly tokens: SessionTokenService,
  ) {}

  async open(caller: BearerContext, organizationId: number): Promise<SessionView> {
    const admission = await this.contexts.sessionAdmission(caller.user.id, organizationId);
    if (admission === null) {
      throw new AppException(
        ErrorCode.NOT_A_MEMBER,
        'The caller is not an active member of that organization.',
      );
    }
    if (admission.archived) throw organizationArchived();
    if (admission.requireMfa && !caller.mfa) throw this.mfaRequired();
    const createdAt = new Date();
    const expiresAt = new Date(createdAt.getTime() + this.config.sessionTtlSeconds * 1000);
    // 256 random bits: the id is a bearer secret of its own in the sessions table.
    const id = randomBytes(32).toString('base64url');
    await this.recorder.run(async (executor) => {
      const opened = await this.sessions.insert(executor, {
        id,
        userId: caller.user.id,
        organizationId,
        createdAt,
        expiresAt,
        mfa: caller.mfa,
      });
      // Archived, or a second factor required, since the admission was read: with a second
      // factor only the archive can have refused it.
      if (!opened) throw caller.mfa ? organizationArchived() : this.mfaRequired();
      return {
        result: undefined,
        changes: [
          {
            audit: {
              organizationId,
              actorUserId: caller.user.id,
              targetUserId: caller.user.id,
              action: AuditAction.SessionOpened,
              changes: { expiresAt: { before: null, after: expiresAt.toISOString() } },
              requestId: caller.requestId,
              createdAt,
              // Never the session id: it is a bearer secret of its own.
              data: {
                session: {
                  userId: caller.user.id,
                  organizationId,
                  expiresAt: expiresAt.toISOString(),
                },
              },
            },
          },
        ],
      };
    });
    return {
      sessionToken: this.tokens.sign({ userId: caller.user.id, sessionId: id }, expiresAt),
      organizationId,
      expiresAt: expiresAt.toISOString(),
    };
  }

  mfaRequired() {
    return mfaRequired(
      this.config.auth.mfaAcrValues,
      'The organization requires a second factor: sign in again with one (amr mfa, or two methods).',
    );
  }

  /** A second revocation changes nothing and records nothing. */
  async revoke(auth: AuthContext): Promise<void> {
    const revokedAt = new Date();
    await this.recorder.run(async (executor) => {
      const revoked = await this.sessions.revoke(executor, auth.session.id, revokedAt);
      return {
        result: undefined,
        changes: revoked
          ? [
              {
                audit: {
                  organizationId: auth.session.organizationId,
                  actorUserId: auth.user.id,
                  targetUserId: auth.user.id,
                  action: AuditAction.SessionRevoked,
                  changes: { revokedAt: { before: null, after: revokedAt.toISOString() } },
                  requestId: auth.requestId,
                  createdAt: revokedAt,
                  data: {
                    session: {
                      userId: auth.user.id,
                      organizationId: auth.session.organizationId,
                      revokedAt: revokedAt.toISOString(),
                    },
                  },
                },
              },
            ]
          : [],
      };
    });
  }
}

function organizationArchived(): AppException {
  return new AppException(
    ErrorCode.ORGANIZATION_ARCHIVED,
    'The organization is archived: no session opens in it until the operator restores it.',
  );
}
