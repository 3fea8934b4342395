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
import { Authenticated, CurrentAuth } from '../auth';
import { ErrorCode } from '../common/errors/error-code';
import { ApiHeader, ETAG_RESPONSE_HEADER } from '../common/http/headers';
import { ApiProblems } from '../common/swagger/api-problems.decorator';
import { IdPipe } from '../common/validation/id.pipe';
import { UserIdPipe } from '../common/validation/user-id.pipe';
import { MAX_SAFE_ID } from '../common/validation/validators';
import { ListMembershipsQuery } from './dto/list-memberships.query';
import { MembershipEnvelope, MembershipPage } from './dto/membership.response';
import { UpdateMembershipDto, changesFrom } from './dto/update-membership.dto';
import type { MemberContext } from './member-context';
import type { UserReference } from './membership-access';
import {
  GetMembershipUseCase,
  ListMembershipsUseCase,
  RemoveMembershipUseCase,
  RestoreMembershipUseCase,
  UpdateMembershipUseCase,
} from './usecases';

/**
 * `me` or a user id. Ids are documented from 1 (none is ever lower; the pipe still answers 404
 * for a negative one, as the contract says). The integer comes first and no example list is
 * given: the Swagger UI would otherwise render a drop-down holding only `me`, and nobody could
 * type an id.
 */
const USER_ID_PARAM = ApiParam({
  name: 'userId',
  description: '`me` for the caller, or a user id (a decimal integer, for example `2`).',
  schema: {
    oneOf: [
      { type: 'integer', minimum: 1, maximum: MAX_SAFE_ID },
      { type: 'string', enum: ['me'] },
    ],
    example: 'me',
  },
});

/** The 400s a route with a userId path answers besides its body's. */
const USER_ID_400 = [ErrorCode.VALIDATION_FAILED, ErrorCode.INVALID_USER_ID];

/** Named request bodies the UI offers; the first is what "Try it out" pre-fills. */
const UPDATE_EXAMPLES = {
  member: {
    summary: 'member edits own name',
    // Consistent with `me` as the demo's alice (Alice Martin), whom the UI is authorized as.
    description: 'Any member may change its own names and profession: alice, as Alicia Martin.',
    value: { firstName: 'Alicia', lastName: 'Martin' },
  },
  administrator: {
    summary: 'administrator changes scope and permissions',
    description:
      'Administrators only, on another member (carol, user 3: a member of the Day team, reading ' +
      'Day and Night, managing Day); permissions replace the previous ones as a whole.',
    value: { scope: 2, permissions: { group: 1, read: [1, 2], manage: [1] } },
  },
};

@ApiTags('users-organizations')
@Controller('users-organizations/v1/rs/users')
export class MembershipsController {
  constructor(
    private readonly listMemberships: ListMembershipsUseCase,
    private readonly getMembership: GetMembershipUseCase,
    private readonly updateMembership: UpdateMembershipUseCase,
    private readonly removeMembership: RemoveMembershipUseCase,
    private readonly restoreMembership: RestoreMembershipUseCase,
  ) {}

  @Get()
  @Authenticated()
  @ApiOperation({
    summary: 'List members',
    description:
      "The session organization's members in a stable order, a page at a time. Members see " +
      'themselves and the members of the groups their read or manage lists cover.',
  })
  @ApiOkResponse({ type: MembershipPage, description: 'A page of members.' })
  @ApiProblems(
    { status: 400, codes: [ErrorCode.VALIDATION_FAILED, ErrorCode.INVALID_CURSOR] },
    { status: 403, codes: [ErrorCode.ADMIN_REQUIRED] },
  )
  list(
    @CurrentAuth() auth: MemberContext,
    @Query() query: ListMembershipsQuery,
  ): Promise<MembershipPage> {
    return this.listMemberships.execute(auth, query);
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
  @ApiProblems(
    { status: 400, codes: USER_ID_400 },
    { status: 403, codes: [ErrorCode.ADMIN_REQUIRED] },
    404,
    { status: 409, codes: [ErrorCode.LAST_ADMIN, ErrorCode.CONFLICT] },
  )
  async remove(
    @CurrentAuth() auth: MemberContext,
    @Param('userId', UserIdPipe) userId: UserReference,
  ): Promise<void> {
    await this.removeMembership.execute(auth, userId);
  }

  @Post(':userId/restore')
  @HttpCode(200)
  @Authenticated({ administrator: true })
  @ApiOperation({ summary: 'Restore a removed member' })
  @ApiParam({
    name: 'userId',
    schema: { type: 'integer', minimum: 1, maximum: MAX_SAFE_ID, example: 5 },
  })
  @ApiOkResponse({
    type: MembershipEnvelope,
    headers: ETAG_RESPONSE_HEADER,
    description: 'Restored.',
  })
  @ApiProblems(
    { status: 400, codes: [ErrorCode.INVALID_ID] },
    { status: 404, description: 'The organization has no deleted member with that id.' },
    { status: 409, codes: [ErrorCode.MEMBERSHIP_ACTIVE, ErrorCode.CONFLICT] },
  )
  async restore(
    @CurrentAuth() auth: MemberContext,
    @Param('userId', IdPipe) userId: number,
    @Res({ passthrough: true }) response: Response,
  ): Promise<MembershipEnvelope> {
    const { view, etag } = await this.restoreMembership.execute(auth, userId);
    response.setHeader(ApiHeader.ETag, etag);
    return { data: view };
  }

  @Get(':userId')
  @Authenticated({ targetParam: 'userId' })
  @ApiOperation({
    summary: 'Get user organization',
    description:
      "A member's membership in the session organization: its user organization, as this " +
      'API calls the pair (user, organization) in route names.',
  })
  @USER_ID_PARAM
  @ApiOkResponse({
    type: MembershipEnvelope,
    headers: ETAG_RESPONSE_HEADER,
    description: 'The membership.',
  })
  @ApiProblems(
    { status: 400, codes: USER_ID_400 },
    { status: 403, codes: [ErrorCode.READ_FORBIDDEN] },
    404,
  )
  async get(
    @CurrentAuth() auth: MemberContext,
    @Param('userId', UserIdPipe) userId: UserReference,
    @Res({ passthrough: true }) response: Response,
  ): Promise<MembershipEnvelope> {
    const { view, etag } = await this.getMembership.execute(auth, userId);
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
  // No content-type parameter: OpenAPI ignores header parameters of that name (the request
  // body's media type says it), and the UI sends application/json by itself.
  @ApiHeaderDoc({
    name: ApiHeader.IfMatch,
    required: false,
    // No example: the UI would send it, and every first try would answer 412.
    description:
      'Apply only if the membership still has this ETag (else 412): the `ETag` header of a ' +
      'previous answer, quotes included, for example `"m2.v3"`.',
    schema: { type: 'string' },
  })
  @ApiBody({ type: UpdateMembershipDto, examples: UPDATE_EXAMPLES })
  @ApiOkResponse({
    type: MembershipEnvelope,
    headers: ETAG_RESPONSE_HEADER,
    description: 'The membership after the change (unchanged by a no-op).',
  })
  @ApiProblems(
    {
      status: 400,
      codes: [
        ErrorCode.VALIDATION_FAILED,
        ErrorCode.MALFORMED_JSON,
        ErrorCode.EMPTY_UPDATE,
        ErrorCode.INVALID_USER_ID,
      ],
    },
    {
      status: 403,
      codes: [
        ErrorCode.SCOPE_CHANGE_FORBIDDEN,
        ErrorCode.PERMISSIONS_CHANGE_FORBIDDEN,
        ErrorCode.PROFILE_CHANGE_FORBIDDEN,
        ErrorCode.READ_FORBIDDEN,
      ],
    },
    404,
    { status: 409, codes: [ErrorCode.LAST_ADMIN, ErrorCode.CONFLICT] },
    412,
    413,
    415,
    422,
  )
  async update(
    @CurrentAuth() auth: MemberContext,
    @Param('userId', UserIdPipe) userId: UserReference,
    @Body() body: UpdateMembershipDto,
    @Headers(ApiHeader.IfMatch) ifMatch: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<MembershipEnvelope> {
    const { view, etag } = await this.updateMembership.execute(
      auth,
      userId,
      changesFrom(body),
      ifMatch,
    );
    response.setHeader(ApiHeader.ETag, etag);
    return { data: view };
  }
}
