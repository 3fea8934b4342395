import { PageQuery } from '../../common/pagination/page.query';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { IsSafeInteger } from '../../common/validation/validators';
import { QueryInteger } from '../../common/validation/query';
import { AuditAction, AuditEvent } from '../../audit';

export const AUDIT_PAGE_DEFAULT = 50;

export class ListAuditEventsQuery extends PageQuery {
  // Validation comes from PageQuery; only the documented default differs.
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 100, default: AUDIT_PAGE_DEFAULT })
  declare limit?: number;

  @ApiPropertyOptional({ type: 'integer', example: 2, description: 'Only events about this user.' })
  @IsOptional()
  @QueryInteger()
  @IsSafeInteger()
  targetUserId?: number;

  @ApiPropertyOptional({ enum: AuditAction, example: AuditAction.MembershipUpdated })
  @IsOptional()
  @IsIn(Object.values(AuditAction), { message: 'must be a known action' })
  action?: AuditAction;
}

export class AuditEventView {
  @ApiProperty({ type: 'integer', example: 42 })
  id!: number;

  @ApiProperty({ type: 'integer', example: 1 })
  organizationId!: number;

  @ApiProperty({ type: 'integer', nullable: true, example: 1, description: 'Who acted.' })
  actorUserId!: number | null;

  @ApiProperty({
    type: 'string',
    nullable: true,
    example: null,
    description: 'The service client that acted (the `svc` routes); then actorUserId is null.',
  })
  actorClientId!: string | null;

  @ApiProperty({ type: 'integer', nullable: true, example: 2, description: 'Whose membership.' })
  targetUserId!: number | null;

  @ApiProperty({
    type: 'integer',
    nullable: true,
    example: null,
    description: 'The invitation an `invitation.*` event is about.',
  })
  invitationId!: number | null;

  @ApiProperty({ enum: AuditAction, example: AuditAction.MembershipUpdated })
  action!: AuditAction;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { firstName: { before: 'Bob', after: 'Robert' } },
    description: 'The changed fields, before and after.',
  })
  changes!: Record<string, { before: unknown; after: unknown }>;

  @ApiProperty({ type: 'string', nullable: true, example: '5f1c0c9e-6a8e-4c2b-9d43-0e6f3a1b2c3d' })
  requestId!: string | null;

  @ApiProperty({ type: 'string', format: 'date-time', example: '2026-11-27T09:30:00.123Z' })
  createdAt!: string;
}

export class AuditEventPage {
  @ApiProperty({ type: () => AuditEventView, isArray: true })
  data!: AuditEventView[];

  @ApiProperty({
    type: 'string',
    nullable: true,
    example: 'djE6NDI',
    description: 'Null on the last page.',
  })
  nextCursor!: string | null;
}

export function toAuditEventView(event: AuditEvent): AuditEventView {
  return { ...event, createdAt: event.createdAt.toISOString() };
}
