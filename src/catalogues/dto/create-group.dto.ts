import { ApiProperty } from '@nestjs/swagger';
import { GROUP_NAME_MAX_LENGTH, IsGroupName } from './group-name.validator';

export const GROUP_NAME_PROPERTY = {
  type: 'string',
  minLength: 1,
  maxLength: GROUP_NAME_MAX_LENGTH,
  pattern: '^\\S(.*\\S)?$',
  example: 'Weekend team',
  description:
    'Unique in the organization. 1 to 250 Unicode characters (250 emoji fit), no whitespace at ' +
    'either end, no control characters. Uniqueness follows the database collation ' +
    '(case-insensitive on MySQL/MariaDB).',
} as const;

export class CreateGroupDto {
  @ApiProperty(GROUP_NAME_PROPERTY)
  @IsGroupName()
  name!: string;
}
