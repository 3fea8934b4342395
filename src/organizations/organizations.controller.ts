import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiHeader as ApiHeaderDoc,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentService, ServiceAuthenticated, type ServiceContext } from '../auth';
import { ErrorCode } from '../common/errors/error-code';
import { ApiHeader, ETAG_RESPONSE_HEADER } from '../common/http/headers';
import { ApiProblems } from '../common/swagger/api-problems.decorator';
import { IdPipe } from '../common/validation/id.pipe';
import { ID_SCHEMA } from '../common/validation/validators';
import {
  CreateOrganizationDto,
  ListOrganizationsQuery,
  organizationChangesFrom,
  OrganizationEnvelope,
  OrganizationPage,
  toOrganizationView,
  UpdateOrganizationDto,
} from './dto/organization.dto';
import { Organization, organizationEtag } from './organization';
import { byService, OrganizationsService } from './organizations.service';

export const ORGANIZATION_ID = ApiParam({
  name: 'organizationId',
  schema: ID_SCHEMA,
  description: 'An organization the client reaches (its SERVICE_CLIENTS entry); any other is 404.',
});

export const IF_MATCH = ApiHeaderDoc({
  name: ApiHeader.IfMatch,
  required: false,
  description:
    'Apply only if the organization still has this ETag (else 412), for example `"o3.v2"`.',
  schema: { type: 'string' },
});

const NOT_FOUND: [number, string] = [
  404,
  'ORGANIZATION_NOT_FOUND: no organization the client reaches has that id.',
];

/** The organization with its ETag, as every answer of these routes gives it. */
export function sendOrganization(
  response: Response,
  organization: Organization,
): OrganizationEnvelope {
  response.setHeader(ApiHeader.ETag, organizationEtag(organization));
  return { data: toOrganizationView(organization) };
}

/** The operator's plane (DESIGN 13): organizations are created, archived and restored here. */
@ApiTags('organizations (services)')
@Controller('users-organizations/v1/svc/organizations')
export class OrganizationsController {
  constructor(private readonly organizations: OrganizationsService) {}

  @Post()
  @ServiceAuthenticated('organizations:write')
  @ApiOperation({
    summary: 'Create an organization',
    description:
      'For a client whose entry covers every organization (`"*"`). Its first administrator ' +
      'arrives through POST .../svc/organizations/{organizationId}/invitations.',
  })
  @ApiCreatedResponse({
    type: OrganizationEnvelope,
    headers: ETAG_RESPONSE_HEADER,
    description: 'Created.',
  })
  @ApiProblems(400, [409, 'EXTERNAL_ID_TAKEN: another organization has this externalId.'], 413, 415)
  async create(
    @CurrentService() service: ServiceContext,
    @Body() body: CreateOrganizationDto,
    @Res({ passthrough: true }) response: Response,
  ): Promise<OrganizationEnvelope> {
    const organization = await this.organizations.create(service, body);
    response.setHeader('Location', `/users-organizations/v1/svc/organizations/${organization.id}`);
    return sendOrganization(response, organization);
  }

  @Get()
  @ServiceAuthenticated('organizations:read')
  @ApiOperation({
    summary: 'List organizations',
    description: 'The organizations the client reaches, by ascending id, a page at a time.',
  })
  @ApiOkResponse({ type: OrganizationPage, description: 'One page of organizations.' })
  @ApiProblems(400)
  list(
    @CurrentService() service: ServiceContext,
    @Query() query: ListOrganizationsQuery,
  ): Promise<OrganizationPage> {
    return this.organizations.list(service, query);
  }

  @Get(':organizationId')
  @ServiceAuthenticated('organizations:read')
  @ApiOperation({ summary: 'Get an organization' })
  @ORGANIZATION_ID
  @ApiOkResponse({
    type: OrganizationEnvelope,
    headers: ETAG_RESPONSE_HEADER,
    description: 'The organization.',
  })
  @ApiProblems(400, NOT_FOUND)
  async get(
    @CurrentService() service: ServiceContext,
    @Param('organizationId', IdPipe) organizationId: number,
    @Res({ passthrough: true }) response: Response,
  ): Promise<OrganizationEnvelope> {
    return sendOrganization(response, await this.organizations.get(service, organizationId));
  }

  @Patch(':organizationId')
  @ServiceAuthenticated('organizations:write')
  @ApiOperation({
    summary: 'Update an organization',
    description: 'Absent fields stay as they are; a request that changes nothing writes nothing.',
  })
  @ORGANIZATION_ID
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
    NOT_FOUND,
    [409, 'EXTERNAL_ID_TAKEN: another organization has this externalId.'],
    412,
    413,
    415,
  )
  async update(
    @CurrentService() service: ServiceContext,
    @Param('organizationId', IdPipe) organizationId: number,
    @Body() body: UpdateOrganizationDto,
    @Headers(ApiHeader.IfMatch) ifMatch: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<OrganizationEnvelope> {
    const organization = await this.organizations.update(
      byService(service),
      organizationId,
      organizationChangesFrom(body),
      ifMatch,
      service,
    );
    return sendOrganization(response, organization);
  }

  @Delete(':organizationId')
  @HttpCode(204)
  @ServiceAuthenticated('organizations:write')
  @ApiOperation({
    summary: 'Archive an organization',
    description:
      'Every session in it is revoked at once; no session opens in it, it leaves its members’ ' +
      'lists of organizations and its pending invitations answer 410, until it is restored. ' +
      'Nothing is deleted.',
  })
  @ORGANIZATION_ID
  @ApiNoContentResponse({ description: 'Archived (or archived already).' })
  @ApiProblems(400, NOT_FOUND)
  async archive(
    @CurrentService() service: ServiceContext,
    @Param('organizationId', IdPipe) organizationId: number,
  ): Promise<void> {
    await this.organizations.archive(service, organizationId);
  }

  @Post(':organizationId/restore')
  @HttpCode(200)
  @ServiceAuthenticated('organizations:write')
  @ApiOperation({
    summary: 'Restore an archived organization',
    description: 'Its members can open sessions again.',
  })
  @ORGANIZATION_ID
  @ApiOkResponse({
    type: OrganizationEnvelope,
    headers: ETAG_RESPONSE_HEADER,
    description: 'The organization, in service.',
  })
  @ApiProblems(400, NOT_FOUND)
  async restore(
    @CurrentService() service: ServiceContext,
    @Param('organizationId', IdPipe) organizationId: number,
    @Res({ passthrough: true }) response: Response,
  ): Promise<OrganizationEnvelope> {
    return sendOrganization(response, await this.organizations.restore(service, organizationId));
  }
}
