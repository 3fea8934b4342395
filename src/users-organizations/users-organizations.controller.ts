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
  ApiBody,
  ApiNoContentResponse,
  ApiHeader as ApiHeaderDoc,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import type { AuthContext } from '../auth/auth-context';
import { Authenticated } from '../auth/decorators/authenticated.decorator';
import { CurrentAuth } from '../auth/decorators/current-auth.decorator';
import { ApiHeader } from '../common/http/headers';
import { ApiProblems } from '../common/swagger/api-problems.decorator';
import { IdPipe } from '../common/validation/id.pipe';
import { UserIdPipe } from '../common/validation/user-id.pipe';
import { MAX_SAFE_ID, MIN_SAFE_ID } from '../common/validation/validators';
import { ListMembershipsQuery } from './dto/list-memberships.query';
import { MembershipEnvelope, MembershipPage } from './dto/membership.response';
import { UpdateMembershipDto, changesFrom } from './dto/update-membership.dto';
import { UserReference, UsersOrganizationsService } from './users-organizations.service';

const USER_ID_PARAM = ApiParam({
  name: 'userId',
  description: '`me` for the caller, or a user id (a decimal integer in the safe range).',
  schema: {
    oneOf: [
      { type: 'string', enum: ['me'] },
      { type: 'integer', minimum: MIN_SAFE_ID, maximum: MAX_SAFE_ID },
    ],
  },
  examples: {
    me: { value: 'me', summary: 'The caller' },
    id: { value: 2, summary: 'A user id' },
  },
});

const ETAG_HEADER = {
  ETag: { description: 'The entity tag of the returned state.', schema: { type: 'string' } },
};

@ApiTags('users-organizations')
@Controller('users-organizations/v1/rs/users')
export class UsersOrganizationsController {
  constructor(private readonly service: UsersOrganizationsService) {}

  @Get()
  @Authenticated()
  @ApiOperation({
    summary: 'List members',
    description:
      "The session organization's members in a stable order, a page at a time. Members see " +
      'themselves and the members of the groups their read or manage lists cover.',
  })
  @ApiOkResponse({ type: MembershipPage })
  @ApiProblems(400, 403)
  list(
    @CurrentAuth() auth: AuthContext,
    @Query() query: ListMembershipsQuery,
  ): Promise<MembershipPage> {
    return this.service.list(auth, query);
  }

  @Delete(':userId')
  @HttpCode(204)
  @Authenticated({ targetParam: 'userId' })
  @ApiOperation({
    summary: 'Remove a member',
    description:
      "Soft delete; revokes the member's sessions in the organization. Administrators remove " +
      'anyone; a member may remove itself (`me`). The last administrator cannot be removed.',
  })
  @USER_ID_PARAM
  @ApiNoContentResponse({ description: 'Removed.' })
  @ApiProblems(400, 403, 404, 409)
  async remove(
    @CurrentAuth() auth: AuthContext,
    @Param('userId', UserIdPipe) userId: UserReference,
  ): Promise<void> {
    await this.service.remove(auth, userId);
  }

  @Post(':userId/restore')
  @HttpCode(200)
  @Authenticated({ administrator: true })
  @ApiOperation({ summary: 'Restore a removed member' })
  @ApiParam({
    name: 'userId',
    schema: { type: 'integer', minimum: 1, maximum: MAX_SAFE_ID, example: 5 },
  })
  @ApiOkResponse({ type: MembershipEnvelope, headers: ETAG_HEADER })
  @ApiProblems(400, 404, 409)
  async restore(
    @CurrentAuth() auth: AuthContext,
    @Param('userId', IdPipe) userId: number,
    @Res({ passthrough: true }) response: Response,
  ): Promise<MembershipEnvelope> {
    const { view, etag } = await this.service.restore(auth, userId);
    response.setHeader(ApiHeader.ETag, etag);
    return { data: view };
  }

  @Get(':userId')
  @Authenticated({ targetParam: 'userId' })
  @ApiOperation({ summary: 'Get user organization', description: "A member's membership." })
  @USER_ID_PARAM
  @ApiOkResponse({ type: MembershipEnvelope, headers: ETAG_HEADER })
  @ApiProblems(400, 403, 404)
  async get(
    @CurrentAuth() auth: AuthContext,
    @Param('userId', UserIdPipe) userId: UserReference,
    @Res({ passthrough: true }) response: Response,
  ): Promise<MembershipEnvelope> {
    const { view, etag } = await this.service.get(auth, userId);
    response.setHeader(ApiHeader.ETag, etag);
    return { data: view };
  }

  @Patch(':userId')
  @Authenticated({ targetParam: 'userId' })
  @ApiOperation({
    summary: 'Update user organization',
    description:
      "Changes a member's profile (the member, an administrator, or a manager of its group), " +
      'scope or permissions (administrators only) in the session organization.',
  })
  @USER_ID_PARAM
  @ApiHeaderDoc({
    name: 'content-type',
    required: true,
    description: 'application/json (a charset parameter is fine).',
    schema: { type: 'string', enum: ['application/json'] },
  })
  @ApiHeaderDoc({
    name: ApiHeader.IfMatch,
    required: false,
    description: 'Apply only if the membership still has this ETag (else 412).',
    schema: { type: 'string', example: '"m2.v3"' },
  })
  @ApiBody({ type: UpdateMembershipDto })
  @ApiOkResponse({ type: MembershipEnvelope, headers: ETAG_HEADER })
  @ApiProblems(400, 403, 404, 409, 412, 413, 415, 422, 429)
  async update(
    @CurrentAuth() auth: AuthContext,
    @Param('userId', UserIdPipe) userId: UserReference,
    @Body() body: UpdateMembershipDto,
    @Headers(ApiHeader.IfMatch) ifMatch: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<MembershipEnvelope> {
    const { view, etag } = await this.service.update(auth, userId, changesFrom(body), ifMatch);
    response.setHeader(ApiHeader.ETag, etag);
    return { data: view };
  }
}
