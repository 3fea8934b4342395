import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsEmail, IsIn, IsObject, MaxLength, ValidateNested } from 'class-validator';
import { AppException } from '../../common/errors/app.exception';
import { ErrorCode } from '../../common/errors/error-code';
import {
  IsCodePointLength,
  IsSafeInteger,
  ID_SCHEMA,
  ValidateIfNotNull,
  ValidateIfPresent,
} from '../../common/validation/validators';
import { Scope } from '../entities/membership.entity';
import type { Permissions } from '../membership';
import { PermissionsDto } from './update-membership.dto';

/** Adds a user to the session organization, by user id or by email (exactly one of them). */
export class CreateMembershipDto {
  @ApiPropertyOptional({ ...ID_SCHEMA, example: 2, description: 'An existing user.' })
  @ValidateIfPresent()
  @IsSafeInteger({ message: 'must be a user id' })
  userId?: number;

  @ApiPropertyOptional({
    example: 'new.nurse@example.com',
    maxLength: 320,
    description: 'A known user, or a new one created for this email.',
  })
  @ValidateIfPresent()
  @IsEmail({}, { message: 'must be an email address' })
  @MaxLength(320)
  email?: string;

  @ApiPropertyOptional({
    example: 'auth0|65f0c2',
    maxLength: 255,
    description:
      "For a new user: its identity provider subject. Without it the user's subject is set at " +
      'its first sign-in with a verified email.',
  })
  @ValidateIfPresent()
  @IsCodePointLength(1, 255)
  subject?: string;

  @ApiProperty({ minLength: 1, maxLength: 250, example: 'Nina' })
  @IsCodePointLength(1, 250)
  firstName!: string;

  @ApiProperty({ minLength: 1, maxLength: 250, example: 'Lefebvre' })
  @IsCodePointLength(1, 250)
  lastName!: string;

  @ApiPropertyOptional({ ...ID_SCHEMA, nullable: true, example: 1 })
  @ValidateIfNotNull()
  @IsSafeInteger({ message: 'must be a profession id or null' })
  professionId?: number | null;

  @ApiPropertyOptional({
    type: 'integer',
    enum: [Scope.Administrator, Scope.Member],
    default: Scope.Member,
    example: Scope.Member,
  })
  @ValidateIfPresent()
  @IsIn([Scope.Administrator, Scope.Member], { message: 'must be the number 1 or 2' })
  scope?: Scope;

  @ApiPropertyOptional({ type: () => PermissionsDto, description: 'Defaults to no group.' })
  @ValidateIfPresent()
  @IsObject({ message: 'must be an object with group, read and manage' })
  @ValidateNested()
  @Type(() => PermissionsDto)
  permissions?: PermissionsDto;
}

export type UserSelector = { userId: number } | { email: string; subject?: string };

export interface NewMembershipRequest {
  user: UserSelector;
  firstName: string;
  lastName: string;
  professionId: number | null;
  scope: Scope;
  permissions: Permissions;
}

export function newMembershipFrom(body: CreateMembershipDto): NewMembershipRequest {
  if ((body.userId === undefined) === (body.email === undefined)) {
    throw new AppException(ErrorCode.VALIDATION_FAILED, 'Send either userId or email.', {
      errors: [{ field: 'userId', message: 'exactly one of userId and email is required' }],
    });
  }
  if (body.subject !== undefined && body.email === undefined) {
    throw new AppException(ErrorCode.VALIDATION_FAILED, 'subject only applies to a new user.', {
      errors: [{ field: 'subject', message: 'may only accompany email' }],
    });
  }
  const permissions = body.permissions ?? { group: null, read: [], manage: [] };
  return {
    user:
      body.userId !== undefined
        ? { userId: body.userId }
        : { email: (body.email as string).toLowerCase(), subject: body.subject },
    firstName: body.firstName,
    lastName: body.lastName,
    professionId: body.professionId ?? null,
    scope: body.scope ?? Scope.Member,
    permissions: {
      group: permissions.group,
      read: [...permissions.read].sort((a, b) => a - b),
      manage: [...permissions.manage].sort((a, b) => a - b),
    },
  };
}
