import { ApiProperty } from '@nestjs/swagger';
import { IsSafeInteger } from '../../common/validation/validators';

export class OpenSessionDto {
  @ApiProperty({
    type: 'integer',
    minimum: Number.MIN_SAFE_INTEGER,
    maximum: Number.MAX_SAFE_INTEGER,
    example: 1,
    description: 'The organization to act in; the caller must be an active member.',
  })
  @IsSafeInteger({ message: 'must be an organization id' })
  organizationId!: number;
}
