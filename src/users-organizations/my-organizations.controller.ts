import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type BearerContext, Authenticated, CurrentBearer } from '../auth';
import { MyOrganizationListEnvelope } from './dto/my-organization.response';
import { MyOrganizationsRepository } from './my-organizations.repository';

@ApiTags('organizations')
@Controller('users-organizations/v1/rs/me/organizations')
export class MyOrganizationsController {
  constructor(private readonly organizations: MyOrganizationsRepository) {}

  @Get()
  @Authenticated({ session: false })
  @ApiOperation({
    summary: 'List my organizations',
    description:
      "The caller's active memberships, with organization names and scopes, to pick one before " +
      'opening a session (POST /sessions). Needs the bearer token only.',
  })
  @ApiOkResponse({
    type: MyOrganizationListEnvelope,
    description: 'The organizations where the caller is an active member.',
  })
  async listMine(@CurrentBearer() caller: BearerContext): Promise<MyOrganizationListEnvelope> {
    return { data: await this.organizations.findActiveForUser(caller.user.id) };
  }
}
