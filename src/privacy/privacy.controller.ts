import { Body, Controller, Delete, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import {
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import {
  type AuthContext,
  Authenticated,
  type BearerContext,
  CurrentAuth,
  CurrentBearer,
  CurrentService,
  ServiceAuthenticated,
  type ServiceContext,
} from '../auth';
import { ErrorCode } from '../common/errors/error-code';
import { ApiProblems } from '../common/swagger/api-problems.decorator';
import { IdPipe } from '../common/validation/id.pipe';
import { membershipNotFound } from '../users-organizations';
import { EraseUserDto, ErasedUserEnvelope, erasedPersonFrom } from './dto/erase-user.dto';
import { ExportDocument } from './dto/export-document';
import { ErasureService } from './erasure.service';
import { PersonalDataExport } from './personal-data-export';

const ERASURE_SUMMARY =
  'In one transaction: every membership removed and its names replaced by "[erased]", every ' +
  'session revoked, the invitations addressed to the person erased (revoked if pending), the ' +
  "person's own names and email erased from the audit rows about them (ids, actions and times " +
  'stay), the user row reduced to its id. Then one `user.erased` event per organization, ' +
  '`{userId}` only. Signing in again later makes a new user.';

@ApiTags('privacy')
@Controller('users-organizations/v1/rs')
export class PrivacyController {
  constructor(
    private readonly exports: PersonalDataExport,
    private readonly erasure: ErasureService,
  ) {}

  @Get('me/export')
  @Authenticated({ session: false, existingUser: true })
  @ApiOperation({
    summary: 'Export my data',
    description:
      'Everything this API holds about the caller, in every organization (GDPR articles 15 ' +
      'and 20): one JSON document, streamed. Another person appears by id only.',
  })
  @ApiProduces('application/json')
  @ApiOkResponse({ type: ExportDocument, description: 'The document (not wrapped in `data`).' })
  @ApiProblems([404, 'USER_NOT_FOUND: no user has this identity here (or it was erased).'])
  async exportMine(@CurrentBearer() caller: BearerContext, @Res() response: Response) {
    await this.exports.own(caller.user.id, response);
  }

  @Get('users/:userId/export')
  @Authenticated({ administrator: true, targetParam: 'userId' })
  @ApiOperation({
    summary: "Export a member's data",
    description:
      'The same document, limited to this organization and without the identity ' +
      "provider's issuer and subject; removed members included, erased ones not.",
  })
  @ApiProduces('application/json')
  @ApiOkResponse({ type: ExportDocument, description: 'The document (not wrapped in `data`).' })
  @ApiProblems(400, [404, 'MEMBERSHIP_NOT_FOUND: no member of this organization has that id.'])
  async exportMember(
    @CurrentAuth() auth: AuthContext,
    @Param('userId', IdPipe) userId: number,
    @Res() response: Response,
  ) {
    if (auth.target === null || auth.target === undefined) throw membershipNotFound();
    await this.exports.member(auth.session.organizationId, userId, response);
  }

  @Delete('me')
  @HttpCode(204)
  @Authenticated({ session: false, existingUser: true })
  @ApiOperation({
    summary: 'Erase me',
    description:
      "Needs a sign-in at most ERASURE_MAX_AUTH_AGE_SECONDS (300) old, from the token's " +
      "`auth_time` (else 401 RECENT_SIGN_IN_REQUIRED with RFC 9470's challenge and its " +
      '`max_age`), and a second factor when an organization of the caller requires one (else ' +
      '401 MFA_REQUIRED). ' +
      ERASURE_SUMMARY,
  })
  @ApiNoContentResponse({ description: 'Erased.' })
  @ApiProblems([404, 'USER_NOT_FOUND: no user has this identity here (or it was erased).'], {
    status: 409,
    codes: [ErrorCode.LAST_ADMIN],
  })
  async eraseMe(@CurrentBearer() caller: BearerContext): Promise<void> {
    await this.erasure.eraseSelf(caller);
  }
}

@ApiTags('privacy (services)')
@Controller('users-organizations/v1/svc/users')
export class ServiceErasureController {
  constructor(private readonly erasure: ErasureService) {}

  @Post('erase')
  @HttpCode(200)
  @ServiceAuthenticated('users:erase')
  @ApiOperation({
    summary: 'Erase a person',
    description:
      "By `userId`, or by `subject` (and `issuer`, if not the default one); the client's " +
      `entry must reach every organization ("*"). ${ERASURE_SUMMARY}`,
  })
  @ApiOkResponse({ type: ErasedUserEnvelope, description: 'Erased.' })
  @ApiProblems(
    400,
    [404, 'USER_NOT_FOUND: no user has that id or identity (or it was erased).'],
    { status: 409, codes: [ErrorCode.LAST_ADMIN] },
    413,
    415,
  )
  async erase(
    @CurrentService() service: ServiceContext,
    @Body() body: EraseUserDto,
  ): Promise<ErasedUserEnvelope> {
    return {
      data: { userId: await this.erasure.eraseByOperator(service, erasedPersonFrom(body)) },
    };
  }
}
