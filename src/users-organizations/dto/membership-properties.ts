import { IsDisplayName } from '../../common/validation/display-name';
import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, type ApiPropertyOptions } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsObject, ValidateIf, ValidateNested } from 'class-validator';
import {
  ID_SCHEMA,
  IsIdList,
  IsSafeInteger,
  MAX_ID_LIST_LENGTH,
  ValidateIfNotNull,
  ValidateIfPresent,
} from '../../common/validation/validators';
import { Scope } from '../entities/membership.entity';

/**
 * The membership fields that the create and update bodies share: each rule and its OpenAPI
 * schema are written once here; a body adds only its own example and description.
 */
type Documentation = Pick<ApiPropertyOptions, 'example' | 'description' | 'default'>;

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

/** A first or last name: 1 to 250 Unicode characters; required unless `optional`. */
export function NameProperty({
  optional = false,
  ...documentation
}: Documentation & { optional?: boolean }) {
  const schema = { minLength: 1, maxLength: 250, ...documentation };
  return optional
    ? applyDecorators(ApiPropertyOptional(schema), ValidateIfPresent(), IsDisplayName(250))
    : applyDecorators(ApiProperty(schema), IsDisplayName(250));
}

/** An optional profession id; null means none. */
export function ProfessionIdProperty(documentation: Documentation) {
  return applyDecorators(
    ApiPropertyOptional({ ...ID_SCHEMA, nullable: true, ...documentation }),
    ValidateIfNotNull(),
    IsSafeInteger({ message: 'must be a profession id or null' }),
  );
}

/** A scope: 1 (administrator) or 2 (member); optional unless `optional: false`. */
export function ScopeProperty({
  optional = true,
  ...documentation
}: Documentation & { optional?: boolean }) {
  const schema = {
    type: 'integer' as const,
    enum: [Scope.Administrator, Scope.Member],
    ...documentation,
  };
  const rule = IsIn([Scope.Administrator, Scope.Member], { message: 'must be the number 1 or 2' });
  return optional
    ? applyDecorators(ApiPropertyOptional(schema), ValidateIfPresent(), rule)
    : applyDecorators(ApiProperty(schema), rule);
}

/** The optional permissions object, validated as a whole (PermissionsDto). */
export function PermissionsProperty(documentation: Documentation) {
  return applyDecorators(
    ApiPropertyOptional({ type: () => PermissionsDto, ...documentation }),
    ValidateIfPresent(),
    IsObject({ message: 'must be an object with group, read and manage' }),
    ValidateNested(),
    Type(() => PermissionsDto),
  );
}
