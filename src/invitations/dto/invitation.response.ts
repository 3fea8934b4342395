import { ApiProperty } from '@nestjs/swagger';
import { PermissionsView, Scope } from '../../users-organizations';
import { Invitation, InvitationStatus, invitationStatus } from '../invitation';

const DATE_TIME = { type: 'string', format: 'date-time' } as const;

export class InvitationView {
  @ApiProperty({ type: 'integer', minimum: 1, example: 7 })
  id!: number;

  @ApiProperty({ type: 'integer', minimum: 1, example: 1 })
  organizationId!: number;

  @ApiProperty({ example: 'frank@example.com', description: 'As the administrator typed it.' })
  email!: string;

  @ApiProperty({ enum: InvitationStatus, example: InvitationStatus.Pending })
  status!: InvitationStatus;

  @ApiProperty({ type: 'integer', enum: [Scope.Administrator, Scope.Member], example: 2 })
  scope!: Scope;

  @ApiProperty({ example: 'Frank' })
  firstName!: string;

  @ApiProperty({ example: 'Leroy' })
  lastName!: string;

  @ApiProperty({ type: 'integer', nullable: true, example: 1 })
  professionId!: number | null;

  @ApiProperty({ type: () => PermissionsView })
  permissions!: PermissionsView;

  @ApiProperty({ type: 'integer', nullable: true, example: 1 })
  invitedByUserId!: number | null;

  @ApiProperty({ ...DATE_TIME, example: '2026-12-07T09:30:00.000Z' })
  expiresAt!: string;

  @ApiProperty({ ...DATE_TIME, nullable: true, example: null })
  acceptedAt!: string | null;

  @ApiProperty({ type: 'integer', nullable: true, example: null })
  acceptedByUserId!: number | null;

  @ApiProperty({ ...DATE_TIME, nullable: true, example: null })
  revokedAt!: string | null;

  @ApiProperty({ ...DATE_TIME, example: '2026-11-30T09:30:00.000Z' })
  createdAt!: string;
}

/** The invitation as its creator (or a resend) sees it, once: with the token to pass on. */
export class IssuedInvitationView extends InvitationView {
  @ApiProperty({
    example: '4fW0l3n0M0dBq3yYk2bH1cM6sQ9yJx8vTnK5pR2aZcE',
    description: 'Shown in this response only; the API stores only its hash.',
  })
  token!: string;

  @ApiProperty({
    type: 'string',
    nullable: true,
    example: 'https://care.example/join?token=4fW0l3n0M0dBq3yYk2bH1cM6sQ9yJx8vTnK5pR2aZcE',
    description: 'INVITATION_ACCEPT_URL with the token in it; null when that is not set.',
  })
  acceptUrl!: string | null;
}

export class IssuedInvitationEnvelope {
  @ApiProperty({ type: () => IssuedInvitationView })
  data!: IssuedInvitationView;
}

export class InvitationPage {
  @ApiProperty({ type: () => InvitationView, isArray: true })
  data!: InvitationView[];

  @ApiProperty({
    type: 'string',
    nullable: true,
    example: null,
    description: 'Pass as `cursor` for the next (older) page; null on the last page.',
  })
  nextCursor!: string | null;
}

/** A pending invitation addressed to the caller's verified email. */
export class MyInvitationView extends InvitationView {
  @ApiProperty({ example: 'Demo Care Paris' })
  organizationName!: string;
}

export class MyInvitationListEnvelope {
  @ApiProperty({ type: () => MyInvitationView, isArray: true })
  data!: MyInvitationView[];
}

export function toInvitationView(invitation: Invitation, now = new Date()): InvitationView {
  return {
    id: invitation.id,
    organizationId: invitation.organizationId,
    email: invitation.email,
    status: invitationStatus(invitation, now),
    scope: invitation.scope,
    firstName: invitation.firstName,
    lastName: invitation.lastName,
    professionId: invitation.professionId,
    permissions: { ...invitation.permissions },
    invitedByUserId: invitation.invitedByUserId,
    expiresAt: invitation.expiresAt.toISOString(),
    acceptedAt: invitation.acceptedAt?.toISOString() ?? null,
    acceptedByUserId: invitation.acceptedByUserId,
    revokedAt: invitation.revokedAt?.toISOString() ?? null,
    createdAt: invitation.createdAt.toISOString(),
  };
}
