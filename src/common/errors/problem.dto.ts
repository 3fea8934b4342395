import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ErrorCode } from './error-code';

export class FieldErrorDto {
  @ApiProperty({ example: 'permissions.read[1]', description: 'JSON path of the value.' })
  field!: string;

  @ApiProperty({ example: 'must be an integer in the safe range' })
  message!: string;
}

/** RFC 9457 problem details, the body of every error response. */
export class ProblemDto {
  @ApiProperty({ example: 'urn:users-organizations:problem:last-admin' })
  type!: string;

  @ApiProperty({ example: 'The organization would have no administrator left' })
  title!: string;

  @ApiProperty({ type: 'integer', example: 409 })
  status!: number;

  @ApiProperty({ example: 'This member is the last active administrator of the organization.' })
  detail!: string;

  @ApiProperty({ enum: ErrorCode, enumName: 'ErrorCode', example: ErrorCode.LAST_ADMIN })
  code!: ErrorCode;

  @ApiProperty({ example: '/users-organizations/v1/rs/users/me' })
  instance!: string;

  @ApiProperty({ example: '5f1c0c9e-6a8e-4c2b-9d43-0e6f3a1b2c3d' })
  requestId!: string;

  @ApiPropertyOptional({ type: () => FieldErrorDto, isArray: true })
  errors?: FieldErrorDto[];
}
