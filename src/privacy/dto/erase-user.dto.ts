import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { AppException } from '../../common/errors/app.exception';
import { ErrorCode } from '../../common/errors/error-code';
import { ID_SCHEMA, IsSafeInteger, ValidateIfPresent } from '../../common/validation/validators';

/** POST .../svc/users/erase: the person by this API's id, or by the provider's names. */
export class EraseUserDto {
  @ApiPropertyOptional({ ...ID_SCHEMA, example: 4, description: "This API's user id." })
  @ValidateIfPresent()
  @IsSafeInteger({ message: 'must be a user id' })
  userId?: number;

  @ApiPropertyOptional({
    example: 'https://idp.example',
    maxLength: 255,
    description: "With `subject`: the identity provider's issuer (default: AUTH_JWT_ISSUER's).",
  })
  @ValidateIfPresent()
  @IsString()
  @Length(1, 255)
  issuer?: string;

  @ApiPropertyOptional({
    example: 'dave',
    maxLength: 255,
    description: "Instead of `userId`: the identity provider's subject (its `sub`).",
  })
  @ValidateIfPresent()
  @IsString()
  @Length(1, 255)
  subject?: string;
}

/** Exactly one way of naming the person: a user id, or a subject (with its issuer, if not the default). */
export function erasedPersonFrom(body: EraseUserDto): EraseUserDto {
  const problem = (field: string, message: string) =>
    new AppException(ErrorCode.VALIDATION_FAILED, `${field} ${message}`, {
      errors: [{ field, message }],
    });
  if (body.userId !== undefined && (body.subject !== undefined || body.issuer !== undefined)) {
    throw problem('userId', 'names the person alone: send userId, or subject (and issuer)');
  }
  if (body.userId === undefined && body.subject === undefined) {
    throw problem('userId', 'or subject is required');
  }
  return body;
}

export class ErasedUserView {
  @ApiProperty({ ...ID_SCHEMA, example: 4, description: 'The user id that was erased.' })
  userId!: number;
}

export class ErasedUserEnvelope {
  @ApiProperty({ type: () => ErasedUserView })
  data!: ErasedUserView;
}
