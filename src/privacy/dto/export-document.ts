import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { AuditEventView } from '../../audit-events';
import { MySessionView } from '../../auth';
import { InvitationView } from '../../invitations';
import { MembershipView } from '../../users-organizations';

export const EXPORT_SCHEMA = 'users-organizations/export/v1';

export class ExportedUser {
  @ApiProperty({ type: 'integer', example: 1 })
  id!: number;

  @ApiPropertyOptional({
    example: 'https://idp.example',
    description: "The identity provider's issuer; absent from an administrator's export.",
  })
  issuer?: string;

  @ApiPropertyOptional({
    example: 'alice',
    description: "The identity provider's subject; absent from an administrator's export.",
  })
  subject?: string;

  @ApiProperty({ type: 'string', nullable: true, example: 'alice@example.com' })
  email!: string | null;

  @ApiProperty({ type: 'string', format: 'date-time', example: '2026-01-15T08:00:00.000Z' })
  createdAt!: string;
}

/**
 * GET .../me/export and .../users/{userId}/export (DESIGN 15): everything this API holds about
 * one person, not wrapped in `data`, streamed as it is read.
 */
export class ExportDocument {
  @ApiProperty({ enum: [EXPORT_SCHEMA], example: EXPORT_SCHEMA })
  schema!: typeof EXPORT_SCHEMA;

  @ApiProperty({ type: 'string', format: 'date-time', example: '2026-12-07T10:00:00.000Z' })
  exportedAt!: string;

  @ApiProperty({ type: () => ExportedUser })
  user!: ExportedUser;

  @ApiProperty({
    type: () => MembershipView,
    isArray: true,
    description: 'Every membership, removed ones included.',
  })
  memberships!: MembershipView[];

  @ApiProperty({
    type: () => InvitationView,
    isArray: true,
    description: "The invitations addressed to the person's email, or accepted by them.",
  })
  invitations!: InvitationView[];

  @ApiProperty({ type: () => MySessionView, isArray: true, description: 'Never a token.' })
  sessions!: MySessionView[];

  @ApiProperty({
    type: () => AuditEventView,
    isArray: true,
    description:
      'The audit rows about the person (as actor, as target, or about an invitation addressed ' +
      'to them), oldest first. Another person appears by id only: their names and email are left out of the changes.',
  })
  auditEvents!: AuditEventView[];
}
