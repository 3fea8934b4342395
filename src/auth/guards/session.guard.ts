import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppException } from '../../common/errors/app.exception';
import { ErrorCode } from '../../common/errors/error-code';
import { ApiHeader } from '../../common/http/headers';
import { requestIdOf } from '../../common/http/request-id.middleware';
import { parseUserReference } from '../../common/validation/user-id.pipe';
import type { AuthenticatedRequest } from '../authenticated-request';
import { AUTH_REQUIREMENTS, AuthRequirements } from '../auth-requirements';
import { InvalidSessionTokenError, SessionTokenService } from '../session-token.service';
import { SessionContextResolver } from '../session-context';
import { INVALID_TOKEN_CHALLENGE } from './bearer-auth.guard';

const unauthorized = (code: ErrorCode, detail: string) =>
  new AppException(code, detail, { headers: { 'WWW-Authenticate': INVALID_TOKEN_CHALLENGE } });

/**
 * Second link on session routes: the session token must name a live session of the bearer's
 * user, and that user must be an active member of the session's organization. Everything is
 * read from the database on every request, so a revocation or demotion applies at once.
 * Authentication failures are 401; a valid caller lacking the role is 403.
 */
@Injectable()
export class SessionGuard implements CanActivate {
  constructor(
    private readonly tokens: SessionTokenService,
    private readonly sessions: SessionContextResolver,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const identity = request.user;
    if (!identity) throw new Error('SessionGuard must run after BearerAuthGuard');

    const token = request.headers[ApiHeader.SessionToken];
    if (typeof token !== 'string' || token.length === 0) {
      throw unauthorized(
        ErrorCode.SESSION_TOKEN_MISSING,
        // The Swagger UI's trap: its two forms each have their own Authorize button.
        `Send the session token in the ${ApiHeader.SessionToken} header (from POST ` +
          '/users-organizations/v1/rs/sessions; in the Swagger UI, paste it under session-token ' +
          "and click that form's own Authorize button).",
      );
    }
    let claims;
    try {
      claims = this.tokens.verify(token);
    } catch (error) {
      if (error instanceof InvalidSessionTokenError) {
        throw unauthorized(
          ErrorCode.SESSION_TOKEN_INVALID,
          'The session token is invalid or expired: open a new session with ' +
            'POST /users-organizations/v1/rs/sessions.',
        );
      }
      throw error;
    }

    const requirements = this.reflector.get<AuthRequirements | undefined>(
      AUTH_REQUIREMENTS,
      context.getHandler(),
    );
    const target = targetOf(request, requirements, claims.userId);
    const resolved = await this.sessions.resolve(
      claims.sessionId,
      typeof target === 'number' ? target : undefined,
    );
    if (resolved === null) {
      throw unauthorized(ErrorCode.SESSION_NOT_FOUND, 'The session does not exist.');
    }
    const { session, caller } = resolved;
    // An erased user's subject is gone: its own session says so, rather than "another user".
    if (session.userId === claims.userId && session.userDeleted) {
      throw unauthorized(ErrorCode.USER_UNKNOWN, 'The access token names no active user.');
    }
    if (
      session.userId !== claims.userId ||
      session.subject !== identity.subject ||
      session.issuer !== identity.issuer
    ) {
      throw unauthorized(
        ErrorCode.SESSION_TOKEN_INVALID,
        'The session token belongs to another user than the access token.',
      );
    }
    if (session.revokedAt !== null) {
      throw unauthorized(ErrorCode.SESSION_REVOKED, 'The session has been revoked.');
    }
    if (session.expiresAt.getTime() <= Date.now()) {
      throw unauthorized(
        ErrorCode.SESSION_EXPIRED,
        'The session has expired: open a new one with POST /users-organizations/v1/rs/sessions.',
      );
    }
    if (caller === null || session.organizationArchived) {
      throw unauthorized(
        ErrorCode.MEMBERSHIP_INACTIVE,
        'The caller is no longer an active member of the session organization.',
      );
    }

    if (requirements?.administrator && !caller.administrator) {
      throw new AppException(
        ErrorCode.ADMIN_REQUIRED,
        'Only administrators of the organization may do this.',
      );
    }

    request.authContext = {
      user: { id: session.userId, issuer: session.issuer, subject: session.subject },
      session: {
        id: session.sessionId,
        organizationId: session.organizationId,
        mfa: session.mfa,
      },
      membership: caller.membership,
      requestId: requestIdOf(request),
      ...(target === 'self' ? { target: caller.membership } : {}),
      ...(typeof target === 'number' ? { target: resolved.target ?? null } : {}),
    };
    return true;
  }
}

/**
 * Which target to read with the session: `self` when the route's user is the caller, an id for
 * another user, undefined when the route names none or the value is malformed (the route's pipe
 * answers that with a 400).
 */
function targetOf(
  request: AuthenticatedRequest,
  requirements: AuthRequirements | undefined,
  callerId: number,
): number | 'self' | undefined {
  const raw: unknown = requirements?.targetParam
    ? request.params?.[requirements.targetParam]
    : undefined;
  if (typeof raw !== 'string') return undefined;
  try {
    const reference = parseUserReference(raw);
    return reference === 'me' || reference === callerId ? 'self' : reference;
  } catch {
    return undefined;
  }
}
