import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import {
  type AuthContext,
  type BearerContext,
  Authenticated,
  CurrentAuth,
  CurrentBearer,
} from '../auth';
import { ApiHeader } from '../common/http/headers';
import { ApiProblems } from '../common/swagger/api-problems.decorator';
import { IdPipe } from '../common/validation/id.pipe';
import { MAX_SAFE_ID } from '../common/validation/validators';
import { MembershipEnvelope } from '../users-organizations';
import { AcceptInvitationUseCase } from './accept-invitation.use-case';
import { AcceptInvitationDto } from './dto/accept-invitation.dto';
import { CreateInvitationDto } from './dto/create-invitation.dto';
import { InvitationPage, IssuedInvitationEnvelope } from './dto/invitation.response';
import { ListInvitationsQuery } from './dto/list-invitations.query';
import { inviterOf } from './invitation-change';
import { InvitationsService } from './invitations.service';

const INVITATION_ID = ApiParam({
  name: 'invitationId',
  schema: { type: 'integer', minimum: 1, maximum: MAX_SAFE_ID },
  description: 'The id of an invitation of the session organization.',
});

export const GONE: [number, string] = [
  410,
  'INVITATION_GONE: the invitation has expired, was revoked or was used.',
];

/** Accepting answers the membership it created, as the users API would. */
export function sendMembership(
  response: Response,
  { view, etag }: { view: MembershipEnvelope['data']; etag: string },
): MembershipEnvelope {
  response.setHeader(ApiHeader.ETag, etag);
  response.setHeader('Location', `/users-organizations/v1/rs/users/${view.userId}`);
  return { data: view };
}

@ApiTags('invitations')
@Controller('users-organizations/v1/rs/invitations')
export class InvitationsController {
  constructor(
    private readonly invitations: InvitationsService,
    private readonly acceptance: AcceptInvitationUseCase,
  ) {}

  @Post()
  @Authenticated({ administrator: true })
  @ApiOperation({
    summary: 'Invite someone',
    description:
      'Invites an email into the session organization with the membership it will get. The ' +
      'token (and acceptUrl) are in this response only; the app sends nothing itself: a mailer ' +
      'module listening to the in-process `invitation.created` event does.',
  })
  @ApiCreatedResponse({ type: IssuedInvitationEnvelope, description: 'Invited.' })
  @ApiProblems(
    400,
    [409, 'ALREADY_MEMBER: an active member has this email; INVITATION_PENDING: resend instead.'],
    413,
    415,
    422,
  )
  async create(
    @CurrentAuth() auth: AuthContext,
    @Body() body: CreateInvitationDto,
  ): Promise<IssuedInvitationEnvelope> {
    return { data: await this.invitations.create(inviterOf(auth), body) };
  }

  @Get()
  @Authenticated({ administrator: true })
  @ApiOperation({
    summary: 'List invitations',
    description: "The session organization's invitations, newest first, a page at a time.",
  })
  @ApiOkResponse({ type: InvitationPage, description: 'One page of invitations.' })
  @ApiProblems(400)
  list(
    @CurrentAuth() auth: AuthContext,
    @Query() query: ListInvitationsQuery,
  ): Promise<InvitationPage> {
    return this.invitations.list(auth, query);
  }

  @Post('accept')
  @HttpCode(201)
  @Authenticated({ session: false })
  @ApiOperation({
    summary: 'Accept an invitation by its token',
    description:
      'Whoever signs in with the token joins, as invited; the token works once. Wrong tokens ' +
      'count against the address like failed sign-ins.',
  })
  @ApiCreatedResponse({ type: MembershipEnvelope, description: 'The membership created.' })
  @ApiProblems(
    400,
    [404, 'INVITATION_TOKEN_INVALID: no invitation has this token.'],
    [409, 'ALREADY_MEMBER: the caller is an active member already.'],
    GONE,
    413,
    415,
  )
  async acceptByToken(
    @CurrentBearer() caller: BearerContext,
    @Body() body: AcceptInvitationDto,
    @Res({ passthrough: true }) response: Response,
  ): Promise<MembershipEnvelope> {
    return sendMembership(response, await this.acceptance.acceptByToken(caller, body.token));
  }

  @Delete(':invitationId')
  @HttpCode(204)
  @Authenticated({ administrator: true })
  @ApiOperation({ summary: 'Revoke an invitation', description: 'Its token stops working.' })
  @INVITATION_ID
  @ApiNoContentResponse({ description: 'Revoked.' })
  @ApiProblems(
    400,
    [404, 'INVITATION_NOT_FOUND: no invitation of this organization has that id.'],
    GONE,
  )
  async revoke(
    @CurrentAuth() auth: AuthContext,
    @Param('invitationId', IdPipe) invitationId: number,
  ): Promise<void> {
    await this.invitations.revoke(auth, invitationId);
  }

  @Post(':invitationId/resend')
  @HttpCode(200)
  @Authenticated({ administrator: true })
  @ApiOperation({
    summary: 'Resend an invitation',
    description:
      'A new token (the previous one stops working) and a new expiry 7 days away; an expired ' +
      'invitation can be resent too. Publishes `invitation.resent` with the new token.',
  })
  @INVITATION_ID
  @ApiOkResponse({ type: IssuedInvitationEnvelope, description: 'The renewed invitation.' })
  @ApiProblems(
    400,
    [404, 'INVITATION_NOT_FOUND: no invitation of this organization has that id.'],
    [409, 'INVITATION_PENDING: a newer invitation for this email is pending.'],
    GONE,
  )
  async resend(
    @CurrentAuth() auth: AuthContext,
    @Param('invitationId', IdPipe) invitationId: number,
  ): Promise<IssuedInvitationEnvelope> {
    return { data: await this.invitations.resend(auth, invitationId) };
  }
}
