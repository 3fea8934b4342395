import { Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { type BearerContext, Authenticated, CurrentBearer } from '../auth';
import { ApiProblems } from '../common/swagger/api-problems.decorator';
import { IdPipe } from '../common/validation/id.pipe';
import { MAX_SAFE_ID } from '../common/validation/validators';
import { MembershipEnvelope } from '../users-organizations';
import { AcceptInvitationUseCase } from './accept-invitation.use-case';
import { MyInvitationListEnvelope } from './dto/invitation.response';
import { GONE, sendMembership } from './invitations.controller';

/** The invitee's side, with the bearer token alone: it has no session (or organization) yet. */
@ApiTags('invitations')
@Controller('users-organizations/v1/rs/me/invitations')
export class MyInvitationsController {
  constructor(private readonly acceptance: AcceptInvitationUseCase) {}

  @Get()
  @Authenticated({ session: false })
  @ApiOperation({
    summary: 'List my invitations',
    description:
      'The pending invitations addressed to the verified email of the access token ' +
      '(`email` with `email_verified: true`); none without one.',
  })
  @ApiOkResponse({ type: MyInvitationListEnvelope, description: 'Pending invitations.' })
  async listMine(@CurrentBearer() caller: BearerContext): Promise<MyInvitationListEnvelope> {
    return { data: await this.acceptance.listMine(caller) };
  }

  @Post(':invitationId/accept')
  @HttpCode(201)
  @Authenticated({ session: false })
  @ApiOperation({
    summary: 'Accept one of my invitations',
    description:
      "Joins the invitation's organization as invited. The access token's verified email must " +
      'be the invited address (normalized); then open a session there (POST /sessions).',
  })
  @ApiParam({
    name: 'invitationId',
    schema: { type: 'integer', minimum: 1, maximum: MAX_SAFE_ID },
    description: 'An id from GET /me/invitations.',
  })
  @ApiCreatedResponse({ type: MembershipEnvelope, description: 'The membership created.' })
  @ApiProblems(
    400,
    [404, 'INVITATION_NOT_FOUND: no invitation addressed to your verified email has that id.'],
    [409, 'ALREADY_MEMBER: you are an active member already.'],
    GONE,
  )
  async accept(
    @CurrentBearer() caller: BearerContext,
    @Param('invitationId', IdPipe) invitationId: number,
    @Res({ passthrough: true }) response: Response,
  ): Promise<MembershipEnvelope> {
    return sendMembership(response, await this.acceptance.acceptById(caller, invitationId));
  }
}
