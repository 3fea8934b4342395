import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import {
  ApiBody,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { type AuthContext, Authenticated, CurrentAuth } from '../auth';
import { ErrorCode } from '../common/errors/error-code';
import { ApiProblem, ApiProblems } from '../common/swagger/api-problems.decorator';
import { IdPipe } from '../common/validation/id.pipe';
import { MAX_SAFE_ID } from '../common/validation/validators';
import { CataloguesService } from './catalogues.service';
import { CreateGroupDto } from './dto/create-group.dto';
import { GroupEnvelope, GroupListEnvelope } from './dto/group.response';
import { UpdateGroupDto } from './dto/update-group.dto';

const GROUP_ID_PARAM = ApiParam({
  name: 'groupId',
  description: 'A group of the session organization (a positive decimal integer).',
  // Inside the schema: next to a schema, the plugin drops a parameter-level example.
  schema: { type: 'integer', minimum: 1, maximum: MAX_SAFE_ID, example: 1 },
});

const NOT_FOUND: ApiProblem = {
  status: 404,
  description:
    'The session organization has no group with that id (groups of other organizations included).',
  codes: [ErrorCode.GROUP_UNKNOWN],
};
const NAME_TAKEN: ApiProblem = {
  status: 409,
  description: 'GROUP_NAME_TAKEN: another group of the organization has that name.',
  codes: [ErrorCode.GROUP_NAME_TAKEN],
};

@ApiTags('catalogues')
@Controller('users-organizations/v1/rs/groups')
export class GroupsController {
  constructor(private readonly catalogues: CataloguesService) {}

  @Get()
  @Authenticated()
  @ApiOperation({
    summary: 'List groups',
    description: 'The groups of the session organization, ordered by id.',
  })
  @ApiOkResponse({ type: GroupListEnvelope, description: "The organization's groups." })
  async list(@CurrentAuth() auth: AuthContext): Promise<GroupListEnvelope> {
    return { data: await this.catalogues.listGroups(auth) };
  }

  @Post()
  @Authenticated({ administrator: true })
  @ApiOperation({
    summary: 'Create a group',
    description: 'Administrators add a group to the session organization.',
  })
  @ApiBody({ type: CreateGroupDto })
  @ApiCreatedResponse({ type: GroupEnvelope, description: 'The new group.' })
  @ApiProblems(400, NAME_TAKEN, 413, 415)
  async create(
    @CurrentAuth() auth: AuthContext,
    @Body() body: CreateGroupDto,
  ): Promise<GroupEnvelope> {
    return { data: await this.catalogues.createGroup(auth, body.name) };
  }

  @Patch(':groupId')
  @Authenticated({ administrator: true })
  @ApiOperation({
    summary: 'Rename a group',
    description: 'Administrators rename a group of the session organization.',
  })
  @GROUP_ID_PARAM
  @ApiBody({ type: UpdateGroupDto })
  @ApiOkResponse({ type: GroupEnvelope, description: 'The renamed group.' })
  @ApiProblems(400, NOT_FOUND, NAME_TAKEN, 413, 415)
  async rename(
    @CurrentAuth() auth: AuthContext,
    @Param('groupId', IdPipe) groupId: number,
    @Body() body: UpdateGroupDto,
  ): Promise<GroupEnvelope> {
    return { data: await this.catalogues.renameGroup(auth, groupId, body.name) };
  }

  @Delete(':groupId')
  @HttpCode(204)
  @Authenticated({ administrator: true })
  @ApiOperation({
    summary: 'Delete a group',
    description:
      'Administrators delete a group of the session organization that no membership references ' +
      '(as its group or in its read or manage list; deleted memberships count, since they may ' +
      'be restored).',
  })
  @GROUP_ID_PARAM
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiProblems(400, NOT_FOUND, {
    status: 409,
    description:
      'GROUP_IN_USE: a membership still references the group; change its permissions first.',
    codes: [ErrorCode.GROUP_IN_USE],
  })
  async delete(
    @CurrentAuth() auth: AuthContext,
    @Param('groupId', IdPipe) groupId: number,
  ): Promise<void> {
    await this.catalogues.deleteGroup(auth, groupId);
  }
}
