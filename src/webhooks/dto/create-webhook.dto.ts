import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsString,
  MaxLength,
  MinLength,
} from 'class-validator';
import { AuditAction } from '../../audit';
import { ValidateIfPresent } from '../../common/validation/validators';

/** Every event type an endpoint can ask for; `*` asks for all, present and future. */
export const EVENT_TYPES = Object.values(AuditAction) as string[];
export const EVENT_FILTERS = ['*', ...EVENT_TYPES];
export const MAX_URL_LENGTH = 2048;

export class CreateWebhookDto {
  @ApiProperty({
    example: 'https://roster.example/hooks/users-organizations',
    maxLength: MAX_URL_LENGTH,
    description:
      'Where deliveries are POSTed. In production it must be https, and its host must resolve ' +
      'to public addresses only (no loopback, private, link-local or metadata address); it is ' +
      'checked again, after DNS, before every delivery.',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(MAX_URL_LENGTH)
  url!: string;

  @ApiProperty({
    type: 'string',
    isArray: true,
    enum: EVENT_FILTERS,
    example: ['membership.updated', 'membership.deleted'],
    description: 'The event types to deliver, or `["*"]` for all.',
  })
  @IsArray({ message: 'must be a list of event types' })
  @ArrayMinSize(1, { message: 'must name at least one event type, or "*"' })
  @ArrayMaxSize(EVENT_FILTERS.length, { message: 'must name each event type at most once' })
  @ArrayUnique({ message: 'must name each event type at most once' })
  @IsIn(EVENT_FILTERS, {
    each: true,
    message: `each value must be one of ${EVENT_FILTERS.join(', ')}`,
  })
  events!: string[];

  @ApiPropertyOptional({ example: 'Roster sync', maxLength: 500 })
  @ValidateIfPresent()
  @IsString({ message: 'must be a string' })
  @MaxLength(500, { message: 'must be at most 500 characters long' })
  description?: string;
}
