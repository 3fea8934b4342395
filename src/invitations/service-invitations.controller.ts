import { Body, Controller, Injectable, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentService, ServiceAuthenticated, type ServiceContext } from '../auth';
import { AppException } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';
import { ApiProblems } from '../common/swagger/api-problems.decorator';
import { IdPipe } from '../common/validation/id.pipe';
import type { SqlExecutor } from '../database';
import { OrganizationsRepository } from '../organizations';
import { MembershipsRepository, Scope } from '../users-organizations';
import { CreateInvitationDto } from './dto/create-invitation.dto';
import { IssuedInvitationEnvelope, IssuedInvitationView } from './dto/invitation.response';
import { InvitationsService } from './invitations.service';

/**
 * How an organization's first administrator arrives (DESIGN 13): a service invites into an
 * organization it reaches, an administrator only while the organization has none.
 */
@Injectable()
export class ServiceInvitations {
  constructor(
    private readonly invitations: InvitationsService,
    private readonly organizations: OrganizationsRepository,
    private readonly memberships: MembershipsRepository,
  ) {}

  invite(
    service: ServiceContext,
    organizationId: number,
    body: CreateInvitationDto,
  ): Promise<IssuedInvitationView> {
    const inviter = {
      organizationId,
      actorUserId: null,
      actorClientId: service.clientId,
      requestId: service.requestId,
    };
    return this.invitations.create(inviter, body, (executor) =>
      this.admit(executor, service, organizationId, body.scope),
    );
  }

  /**
   * The organization row is locked first, so two services inviting an administrator at once,
   * or an invitation racing an archive, are judged one after the other.
   */
  private async admit(
    executor: SqlExecutor,
    service: ServiceContext,
    organizationId: number,
    scope: Scope,
  ): Promise<void> {
    const organization = await this.organizations.reachable(executor, service, organizationId, {
      lock: true,
    });
    if (organization.archivedAt !== null) {
      throw new AppException(
        ErrorCode.ORGANIZATION_ARCHIVED,
        'The organization is archived: restore it before inviting anyone.',
      );
    }
    if (
      scope === Scope.Administrator &&
      (await this.memberships.lockActiveAdministrators(executor, organizationId)).length > 0
    ) {
      throw new AppException(
        ErrorCode.ORGANIZATION_HAS_ADMINISTRATOR,
        'The organization has an administrator: a service invites administrators only into an ' +
          'organization that has none; its administrators invite the others.',
      );
    }
  }
}

@ApiTags('organizations (services)')
@Controller('users-organizations/v1/svc/organizations/:organizationId/invitations')
export class ServiceInvitationsController {
  constructor(private readonly invitations: ServiceInvitations) {}

  @Post()
  @ServiceAuthenticated('invitations:write')
  @ApiOperation({
    summary: 'Invite into an organization',
    description:
      "The body and answer of the administrators' invitation. A service invites an " +
      'administrator (scope 1) only into an organization without an active administrator: ' +
      'this is how its first administrator arrives; members always.',
  })
  @ApiCreatedResponse({ type: IssuedInvitationEnvelope, description: 'Invited.' })
  @ApiProblems(
    400,
    [403, 'ORGANIZATION_ARCHIVED: the organization is archived.'],
    [404, 'ORGANIZATION_NOT_FOUND: no organization the client reaches has that id.'],
    {
      status: 409,
      codes: [
        ErrorCode.ORGANIZATION_HAS_ADMINISTRATOR,
        ErrorCode.ALREADY_MEMBER,
        ErrorCode.INVITATION_PENDING,
      ],
    },
    413,
    415,
    422,
  )
  async create(
    @CurrentService() service: ServiceContext,
    @Param('organizationId', IdPipe) organizationId: number,
    @Body() body: CreateInvitationDto,
  ): Promise<IssuedInvitationEnvelope> {
    return { data: await this.invitations.invite(service, organizationId, body) };
  }
}
