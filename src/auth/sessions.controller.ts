import { Body, Controller, Delete, HttpCode, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ErrorCode } from '../common/errors/error-code';
import { ApiProblems } from '../common/swagger/api-problems.decorator';
import type { AuthContext, BearerContext } from './auth-context';
import { Authenticated } from './decorators/authenticated.decorator';
import { CurrentAuth, CurrentBearer } from './decorators/current-auth.decorator';
import { OpenSessionDto } from './dto/open-session.dto';
import { SessionEnvelope } from './dto/session.response';
import { SessionsService } from './sessions.service';

@ApiTags('sessions')
@Controller('users-organizations/v1/rs/sessions')
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @Post()
  @Authenticated({ session: false })
  @ApiOperation({
    summary: 'Open a session',
    description: 'Opens a session in an organization of the caller; needs the bearer token only.',
  })
  @ApiCreatedResponse({
    type: SessionEnvelope,
    description: 'The session, with the token to send as x-session-token.',
  })
  @ApiProblems(
    400,
    { status: 403, codes: [ErrorCode.NOT_A_MEMBER, ErrorCode.ORGANIZATION_ARCHIVED] },
    413,
    415,
  )
  async open(
    @CurrentBearer() caller: BearerContext,
    @Body() body: OpenSessionDto,
  ): Promise<SessionEnvelope> {
    return { data: await this.sessions.open(caller, body.organizationId) };
  }

  @Delete('current')
  @HttpCode(204)
  @Authenticated()
  @ApiOperation({
    summary: 'Revoke the current session',
    description: 'Takes effect on the very next request, on every instance.',
  })
  @ApiNoContentResponse({ description: 'Revoked.' })
  async revoke(@CurrentAuth() auth: AuthContext): Promise<void> {
    await this.sessions.revoke(auth);
  }
}
