import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsObject, ValidateIf, ValidateNested } from 'class-validator';
import {
  IsCodePointLength,
  IsIdList,
  IsSafeInteger,
  MAX_ID_LIST_LENGTH,
  ID_SCHEMA,
  ValidateIfNotNull,
  ValidateIfPresent,
} from '../../common/validation/validators';
import { AppException } from '../../common/errors/app.exception';
import { ErrorCode } from '../../common/errors/error-code';
import { Scope } from '../entities/membership.entity';
import type { MembershipChanges } from '../membership';

export class PermissionsDto {
  // Required, but may be null: only an absent key is an error, hence the custom rule.
  @ApiProperty({ ...ID_SCHEMA, nullable: true, example: 1, description: "The member's own group." })
  @ValidateIf((_object, value) => value !== null)
  @IsSafeInteger({ message: 'must be a group id or null' })
  group!: number | null;

  @ApiProperty({
    ...ID_SCHEMA,
    isArray: true,
    maxItems: MAX_ID_LIST_LENGTH,
    uniqueItems: true,
    example: [1, 2],
    description: 'Groups whose members this member may read (returned sorted).',
  })
  @IsIdList()
  read!: number[];

  @ApiProperty({
    ...ID_SCHEMA,
    isArray: true,
    maxItems: MAX_ID_LIST_LENGTH,
    uniqueItems: true,
    example: [1],
    description: 'Groups whose members this member may manage (returned sorted).',
  })
  @IsIdList()
  manage!: number[];
}

/** The PATCH body: at least one field; absent fields stay as they are. */
export class UpdateMembershipDto {
  @ApiPropertyOptional({
    minLength: 1,
    maxLength: 250,
    example: 'Alice',
    description: 'Counted in Unicode characters: 250 emoji fit.',
  })
  @ValidateIfPresent()
  @IsCodePointLength(1, 250)
  firstName?: string;

  @ApiPropertyOptional({
    minLength: 1,
    maxLength: 250,
    example: 'Martin',
    description: 'Counted in Unicode characters: 250 emoji fit.',
  })
  @ValidateIfPresent()
  @IsCodePointLength(1, 250)
  lastName?: string;

  @ApiPropertyOptional({
    ...ID_SCHEMA,
    nullable: true,
    example: 2,
    description: 'An existing profession, or null to clear it.',
  })
  @ValidateIfNotNull()
  @IsSafeInteger({ message: 'must be a profession id or null' })
  professionId?: number | null;

  @ApiPropertyOptional({
    type: 'integer',
    enum: [Scope.Administrator, Scope.Member],
    example: Scope.Member,
    description: '1 = administrator, 2 = member. Administrators only.',
  })
  @ValidateIfPresent()
  @IsIn([Scope.Administrator, Scope.Member], { message: 'must be the number 1 or 2' })
  scope?: Scope;

  @ApiPropertyOptional({
    type: () => PermissionsDto,
    description: 'The whole object, replacing the previous one. Administrators only.',
  })
  @ValidateIfPresent()
  @IsObject({ message: 'must be an object with group, read and manage' })
  @ValidateNested()
  @Type(() => PermissionsDto)
  permissions?: PermissionsDto;
}

/** The requested changes; a body naming no field is refused rather than treated as a no-op. */
export function changesFrom(body: UpdateMembershipDto): MembershipChanges {
  const changes: MembershipChanges = {};
  if (body.firstName !== undefined) changes.firstName = body.firstName;
  if (body.lastName !== undefined) changes.lastName = body.lastName;
  if (body.professionId !== undefined) changes.professionId = body.professionId;
  if (body.scope !== undefined) changes.scope = body.scope;
  if (body.permissions !== undefined) {
    const { group, read, manage } = body.permissions;
    changes.permissions = { group, read, manage };
  }
  if (Object.keys(changes).length === 0) {
    throw new AppException(
      ErrorCode.EMPTY_UPDATE,
      'Send at least one of firstName, lastName, professionId, scope, permissions.',
    );
  }
  return changes;
}
