import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { AppException } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';
import { AppConfig } from '../config/app-config';
import type { AuthContext, BearerContext } from './auth-context';
import { SessionView } from './dto/session.response';
import { SessionTokenService } from './session-token.service';
import { SessionsRepository } from './sessions.repository';

@Injectable()
export class SessionsService {
  constructor(
    private readonly config: AppConfig,
    private readonly sessions: SessionsRepository,
    private readonly tokens: SessionTokenService,
  ) {}

  async open(caller: BearerContext, organizationId: number): Promise<SessionView> {
    if (!(await this.sessions.isActiveMember(caller.user.id, organizationId))) {
      throw new AppException(
        ErrorCode.NOT_A_MEMBER,
        'The caller is not an active member of that organization.',
      );
    }
    const createdAt = new Date();
    const expiresAt = new Date(createdAt.getTime() + this.config.sessionTtlSeconds * 1000);
    // 256 random bits: the id is a bearer secret of its own in the sessions table.
    const id = randomBytes(32).toString('base64url');
    await this.sessions.insert({
      id,
      userId: caller.user.id,
      organizationId,
      createdAt,
      expiresAt,
    });
    return {
      sessionToken: this.tokens.sign({ userId: caller.user.id, sessionId: id }, expiresAt),
      organizationId,
      expiresAt: expiresAt.toISOString(),
    };
  }

  async revoke(auth: AuthContext): Promise<void> {
    await this.sessions.revoke(auth.session.id, new Date());
  }
}
