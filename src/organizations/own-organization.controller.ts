import { Body, Controller, Get, Headers, Patch, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { type AuthContext, Authenticated, CurrentAuth } from '../auth';
import { ErrorCode } from '../common/errors/error-code';
import { ApiHeader, ETAG_RESPONSE_HEADER } from '../common/http/headers';
import { ApiProblems } from '../common/swagger/api-problems.decorator';
import {
  ownOrganizationChangesFrom,
  OrganizationEnvelope,
  UpdateOwnOrganizationDto,
} from './dto/organization.dto';
import { IF_MATCH, sendOrganization } from './organizations.controller';
import { OrganizationsService } from './organizations.service';

/** The session's organization, as its members see it (DESIGN 13). */
@ApiTags('organization')
@Controller('users-organizations/v1/rs/organization')
export class OwnOrganizationController {
  constructor(private readonly organizations: OrganizationsService) {}

  @Get()
  @Authenticated()
  @ApiOperation({ summary: 'Get my organization', description: "The session's organization." })
  @ApiOkResponse({
    type: OrganizationEnvelope,
    headers: ETAG_RESPONSE_HEADER,
    description: 'The organization.',
  })
  async get(
    @CurrentAuth() auth: AuthContext,
    @Res({ passthrough: true }) response: Response,
  ): Promise<OrganizationEnvelope> {
    return sendOrganization(response, await this.organizations.own(auth.session.organizationId));
  }

  @Patch()
  @Authenticated({ administrator: true })
  @ApiOperation({
    summary: 'Change my organization',
    description:
      'Its name, or whether a second factor is required (administrators only); a request that ' +
      'changes nothing writes nothing. Requiring a second factor from a session opened without ' +
      'one is 401 MFA_REQUIRED.',
  })
  @IF_MATCH
  @ApiOkResponse({
    type: OrganizationEnvelope,
    headers: ETAG_RESPONSE_HEADER,
    description: 'The organization after the change.',
  })
  @ApiProblems(
    {
      status: 400,
      codes: [ErrorCode.VALIDATION_FAILED, ErrorCode.MALFORMED_JSON, ErrorCode.EMPTY_UPDATE],
    },
    412,
    413,
    415,
  )
  async update(
    @CurrentAuth() auth: AuthContext,
    @Body() body: UpdateOwnOrganizationDto,
    @Headers(ApiHeader.IfMatch) ifMatch: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<OrganizationEnvelope> {
    const organization = await this.organizations.update(
      { actorUserId: auth.user.id, actorClientId: null, requestId: auth.requestId },
      auth.session.organizationId,
      ownOrganizationChangesFrom(body),
      ifMatch,
      undefined,
      auth.session,
    );
    return sendOrganization(response, organization);
  }
}
