import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { AppException } from '../../common/errors/app.exception';
import { ErrorCode } from '../../common/errors/error-code';
import { requestIdOf } from '../../common/http/request-id.middleware';
import { AppConfig, type ServicePlaneConfig, type ServiceRight } from '../../config';
import type { AuthenticatedRequest } from '../authenticated-request';
import type { BearerIdentity } from '../bearer-identity';
import { ANY_CLIENT, grantedRights } from '../service-context';
import { VerifiedBearerTokens } from '../verified-bearer-tokens';
import { BearerAuthGuard, invalidToken } from './bearer-auth.guard';

export const SERVICE_RIGHT = 'users-organizations:service-right';

/**
 * First link on `svc` routes: the same verification as people's tokens (issuer, keys, pinned
 * algorithms), then the service plane's own admission (DESIGN 13). The token must carry the
 * service audience and no user (its `sub` is its client id, or Entra's `idtyp: "app"`), and its
 * client must be listed in SERVICE_CLIENTS; each of these is a 401, as a token for people is.
 * Where the plane is off (production without AUTH_SERVICE_AUDIENCE), its routes are 404.
 */
@Injectable()
export class ServiceAuthGuard extends BearerAuthGuard {
  private readonly plane: ServicePlaneConfig | null;

  constructor(verified: VerifiedBearerTokens, config: AppConfig) {
    super(verified);
    this.plane = config.auth.services;
  }

  override canActivate(context: ExecutionContext) {
    if (this.plane === null) {
      throw new AppException(ErrorCode.ROUTE_NOT_FOUND, 'No route answers this path.');
    }
    return super.canActivate(context);
  }

  protected override admit(identity: BearerIdentity, request: Request): void {
    const plane = this.plane as ServicePlaneConfig;
    if (!identity.forServices) {
      throw invalidToken(
        `The access token is not accepted here: the routes for services take tokens for the audience ${plane.audience}.`,
      );
    }
    if (!identity.application) {
      throw invalidToken(
        'The access token acts for a person: the routes for services take client-credentials tokens.',
      );
    }
    const clientId = identity.clientId ?? identity.subject;
    const entry = plane.clients === null ? ANY_CLIENT : plane.clients[clientId];
    if (entry === undefined) {
      throw invalidToken('The client is not allowed to call this API.');
    }
    (request as AuthenticatedRequest).serviceContext = {
      clientId,
      rights: grantedRights(identity.grants, entry),
      organizations: entry.organizations,
      requestId: requestIdOf(request),
    };
  }
}

/**
 * Last link on `svc` routes: the right the route names (@ServiceAuthenticated) must be one the
 * client holds, else 403 with RFC 6750's insufficient_scope challenge naming it.
 */
@Injectable()
export class ServiceRightGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const right = this.reflector.get<ServiceRight | undefined>(SERVICE_RIGHT, context.getHandler());
    const service = context.switchToHttp().getRequest<AuthenticatedRequest>().serviceContext;
    if (right === undefined || service === undefined) {
      throw new Error('ServiceRightGuard needs @ServiceAuthenticated() and ServiceAuthGuard');
    }
    if (service.rights.includes(right)) return true;
    throw new AppException(
      ErrorCode.INSUFFICIENT_SCOPE,
      `The client's token does not carry the right ${right}.`,
      { headers: { 'WWW-Authenticate': `Bearer error="insufficient_scope", scope="${right}"` } },
    );
  }
}
