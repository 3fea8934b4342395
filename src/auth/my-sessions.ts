import { Controller, Delete, Get, HttpCode, Injectable, Param } from '@nestjs/common';
import {
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiTags,
} from '@nestjs/swagger';
import { createHash } from 'node:crypto';
import { AuditAction, ChangeRecorder, type RecordedChange } from '../audit';
import { AppException } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';
import { ApiProblems } from '../common/swagger/api-problems.decorator';
import { IdPipe } from '../common/validation/id.pipe';
import type { AuthContext, BearerContext } from './auth-context';
import { Authenticated } from './decorators/authenticated.decorator';
import { CurrentAuth, CurrentBearer } from './decorators/current-auth.decorator';
import { SessionsRepository, type StoredSession } from './sessions.repository';

const DATE_TIME = { type: 'string', format: 'date-time' } as const;

export class MySessionView {
  @ApiProperty({
    example: 'b4Tn0S2p9vOq1m7yQeWfZkXc3R8uJhA5dLsG6iE2oYw',
    description: 'A handle of the session (not its secret id): what DELETE takes.',
  })
  id!: string;

  @ApiProperty({ type: 'integer', example: 1 })
  organizationId!: number;

  @ApiProperty({ ...DATE_TIME, example: '2026-12-07T08:00:00.000Z' })
  createdAt!: string;

  @ApiProperty({ ...DATE_TIME, example: '2026-12-08T08:00:00.000Z' })
  expiresAt!: string;

  @ApiProperty({ ...DATE_TIME, nullable: true, example: null })
  revokedAt!: string | null;

  @ApiProperty({ example: true, description: 'Opened with a second factor.' })
  mfa!: boolean;
}

export class MySessionsEnvelope {
  @ApiProperty({ type: () => MySessionView, isArray: true })
  data!: MySessionView[];
}

/** A session's public handle: its id is a bearer secret that never leaves the table. */
export function sessionHandle(sessionId: string): string {
  return createHash('sha256').update(sessionId).digest('base64url');
}

function sessionRevoked(
  by: { actorUserId: number; requestId: string },
  targetUserId: number,
  organizationId: number,
  at: Date,
  count = 1,
): RecordedChange {
  return {
    audit: {
      organizationId,
      actorUserId: by.actorUserId,
      targetUserId,
      action: AuditAction.SessionRevoked,
      changes: { revokedAt: { before: null, after: at.toISOString() } },
      requestId: by.requestId,
      createdAt: at,
      data: {
        session: { userId: targetUserId, organizationId, revokedAt: at.toISOString(), count },
      },
    },
  };
}

/** A person's sessions in every organization, and an administrator signing a member out. */
@Injectable()
export class MySessions {
  constructor(
    private readonly recorder: ChangeRecorder,
    private readonly sessions: SessionsRepository,
  ) {}

  async list(caller: BearerContext): Promise<MySessionView[]> {
    return (await this.sessions.listForUser(caller.user.id)).map(toMySessionView);
  }

  /** Another person's handle is not found; an own session revoked already changes nothing. */
  async revoke(caller: BearerContext, handle: string): Promise<void> {
    const session = (await this.sessions.listForUser(caller.user.id)).find(
      (candidate) => sessionHandle(candidate.id) === handle,
    );
    if (session === undefined) {
      throw new AppException(ErrorCode.NO_SUCH_SESSION, 'No session of the caller has that id.');
    }
    await this.recorder.run(async (executor) => {
      const at = new Date();
      const revoked = await this.sessions.revoke(executor, session.id, at);
      return {
        result: undefined,
        changes: revoked
          ? [
              sessionRevoked(
                { actorUserId: caller.user.id, requestId: caller.requestId },
                caller.user.id,
                session.organizationId,
                at,
              ),
            ]
          : [],
      };
    });
  }

  /** Every live session of a member in the administrator's organization, revoked at once. */
  async signOut(auth: AuthContext, userId: number): Promise<void> {
    if (auth.target === null || auth.target === undefined) {
      throw new AppException(
        ErrorCode.MEMBERSHIP_NOT_FOUND,
        'No member of this organization has that id.',
      );
    }
    const organizationId = auth.session.organizationId;
    await this.recorder.run(async (executor) => {
      const at = new Date();
      const count = await this.sessions.revokeMember(executor, userId, organizationId, at);
      return {
        result: undefined,
        changes:
          count > 0
            ? [
                sessionRevoked(
                  { actorUserId: auth.user.id, requestId: auth.requestId },
                  userId,
                  organizationId,
                  at,
                  count,
                ),
              ]
            : [],
      };
    });
  }
}

/** A session as its owner sees it: a handle, never the id its token carries. */
export function toMySessionView(session: StoredSession): MySessionView {
  return {
    id: sessionHandle(session.id),
    organizationId: session.organizationId,
    createdAt: session.createdAt.toISOString(),
    expiresAt: session.expiresAt.toISOString(),
    revokedAt: session.revokedAt?.toISOString() ?? null,
    mfa: session.mfa,
  };
}

@ApiTags('sessions')
@Controller('users-organizations/v1/rs')
export class MySessionsController {
  constructor(private readonly sessions: MySessions) {}

  @Get('me/sessions')
  @Authenticated({ session: false })
  @ApiOperation({
    summary: 'List my sessions',
    description: 'In every organization, newest first (the 100 most recent); never a token.',
  })
  @ApiOkResponse({ type: MySessionsEnvelope, description: 'My sessions.' })
  async list(@CurrentBearer() caller: BearerContext): Promise<MySessionsEnvelope> {
    return { data: await this.sessions.list(caller) };
  }

  @Delete('me/sessions/:sessionId')
  @HttpCode(204)
  @Authenticated({ session: false })
  @ApiOperation({
    summary: 'Revoke one of my sessions',
    description: 'Takes effect on its very next request, on every instance.',
  })
  @ApiNoContentResponse({ description: 'Revoked (or revoked already).' })
  @ApiProblems([404, 'NO_SUCH_SESSION: no session of the caller has that id.'])
  async revoke(
    @CurrentBearer() caller: BearerContext,
    @Param('sessionId') sessionId: string,
  ): Promise<void> {
    await this.sessions.revoke(caller, sessionId);
  }

  @Delete('users/:userId/sessions')
  @HttpCode(204)
  @Authenticated({ administrator: true, targetParam: 'userId' })
  @ApiOperation({
    summary: 'Sign a member out of this organization everywhere',
    description: 'Every live session of the member in the session organization, at once.',
  })
  @ApiNoContentResponse({ description: 'Signed out.' })
  @ApiProblems(400, [404, 'MEMBERSHIP_NOT_FOUND: no member of this organization has that id.'])
  async signOut(
    @CurrentAuth() auth: AuthContext,
    @Param('userId', IdPipe) userId: number,
  ): Promise<void> {
    await this.sessions.signOut(auth, userId);
  }
}
