import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, MaxLength } from 'class-validator';
import { AppException } from '../../common/errors/app.exception';
import { ErrorCode } from '../../common/errors/error-code';
import {
  IsCodePointLength,
  IsSafeInteger,
  ID_SCHEMA,
  ValidateIfPresent,
} from '../../common/validation/validators';
import { Scope } from '../entities/membership.entity';
import type { Permissions } from '../membership';
import {
  NameProperty,
  PermissionsDto,
  PermissionsProperty,
  ProfessionIdProperty,
  ScopeProperty,
} from './membership-properties';

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

  @NameProperty({ example: 'Nina' })
  firstName!: string;

  @NameProperty({ example: 'Lefebvre' })
  lastName!: string;

  @ProfessionIdProperty({ example: 1 })
  professionId?: number | null;

  @ScopeProperty({ default: Scope.Member, example: Scope.Member })
  scope?: Scope;

  @PermissionsProperty({ description: 'Defaults to no group.' })
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
