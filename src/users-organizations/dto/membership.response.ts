import { ApiProperty } from '@nestjs/swagger';
import { Scope } from '../entities/membership.entity';
import type { Membership } from '../membership';

export class PermissionsView {
  @ApiProperty({ type: 'integer', minimum: 1, nullable: true, example: 1 })
  group!: number | null;

  @ApiProperty({ type: 'integer', minimum: 1, isArray: true, example: [1, 2] })
  read!: number[];

  @ApiProperty({ type: 'integer', minimum: 1, isArray: true, example: [1, 2] })
  manage!: number[];
}

export class MembershipView {
  @ApiProperty({ type: 'integer', example: 1 })
  userId!: number;

  @ApiProperty({ type: 'integer', example: 1 })
  organizationId!: number;

  @ApiProperty({
    type: 'integer',
    enum: [Scope.Administrator, Scope.Member],
    example: 1,
    description: '1 = administrator of the organization, 2 = member.',
  })
  scope!: Scope;

  @ApiProperty({ example: 'Alice' })
  firstName!: string;

  @ApiProperty({ example: 'Martin' })
  lastName!: string;

  @ApiProperty({ type: 'integer', nullable: true, example: 4 })
  professionId!: number | null;

  @ApiProperty({ type: () => PermissionsView })
  permissions!: PermissionsView;

  @ApiProperty({ type: 'string', format: 'date-time', nullable: true, example: null })
  deletedAt!: string | null;

  @ApiProperty({ type: 'string', format: 'date-time', example: '2026-11-27T09:30:00.123Z' })
  updatedAt!: string;

  @ApiProperty({ type: 'string', format: 'date-time', example: '2026-01-15T08:00:00.000Z' })
  createdAt!: string;
}

/** Every success body wraps its payload in `data`. */
export class MembershipEnvelope {
  @ApiProperty({ type: () => MembershipView })
  data!: MembershipView;
}

export function toMembershipView(membership: Membership): MembershipView {
  return {
    userId: membership.userId,
    organizationId: membership.organizationId,
    scope: membership.scope,
    firstName: membership.firstName,
    lastName: membership.lastName,
    professionId: membership.professionId,
    permissions: {
      group: membership.permissions.group,
      read: membership.permissions.read,
      manage: membership.permissions.manage,
    },
    deletedAt: membership.deletedAt?.toISOString() ?? null,
    updatedAt: membership.updatedAt.toISOString(),
    createdAt: membership.createdAt.toISOString(),
  };
}

export class MembershipPage {
  @ApiProperty({ type: () => MembershipView, isArray: true })
  data!: MembershipView[];

  @ApiProperty({
    type: 'string',
    nullable: true,
    example: 'djE6MjA',
    description: 'Pass as `cursor` for the next page; null on the last page.',
  })
  nextCursor!: string | null;
}
