import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, Matches, ValidateIf } from 'class-validator';
import { AppException } from '../../common/errors/app.exception';
import { ErrorCode } from '../../common/errors/error-code';
import { PageQuery } from '../../common/pagination/page.query';
import { IsDisplayName } from '../../common/validation/display-name';
import { QueryBoolean } from '../../common/validation/query';
import { ValidateIfPresent } from '../../common/validation/validators';
import type { Organization, OrganizationChanges } from '../organization';

const EXTERNAL_ID = /^[A-Za-z0-9._:-]{1,64}$/;
const EXTERNAL_ID_MESSAGE = 'must be 1 to 64 of the characters A-Z a-z 0-9 . _ : -';
const DATE_TIME = { type: 'string', format: 'date-time' } as const;

function ExternalIdProperty(options: { nullable: boolean }): PropertyDecorator {
  return (target: object, property: string | symbol) => {
    ApiPropertyOptional({
      type: 'string',
      pattern: EXTERNAL_ID.source,
      maxLength: 64,
      nullable: options.nullable,
      example: 'crm-42',
      description:
        "The operator's own key for the organization (a CRM id): unique, so that a retried " +
        'create answers 409 instead of making a second organization.' +
        (options.nullable ? ' null removes it.' : ''),
    })(target, property);
    (options.nullable
      ? ValidateIf((_, value) => value !== undefined && value !== null)
      : ValidateIfPresent())(target, property);
    Matches(EXTERNAL_ID, { message: EXTERNAL_ID_MESSAGE })(target, property);
  };
}

export class CreateOrganizationDto {
  @ApiProperty({ example: 'Clinique Saint-Roch', minLength: 1, maxLength: 250 })
  @IsDisplayName(250)
  name!: string;

  @ExternalIdProperty({ nullable: false })
  externalId?: string;
}

/** The operator's PATCH: at least one field; absent fields stay as they are. */
export class UpdateOrganizationDto {
  @ApiPropertyOptional({ example: 'Clinique Saint-Roch Lyon', minLength: 1, maxLength: 250 })
  @ValidateIfPresent()
  @IsDisplayName(250)
  name?: string;

  @ExternalIdProperty({ nullable: true })
  externalId?: string | null;

  @ApiPropertyOptional({
    example: false,
    description:
      'Sessions open only for a bearer token that shows a second factor (DESIGN 15); the ' +
      'operator can lift it when no administrator can meet it any more.',
  })
  @ValidateIfPresent()
  @IsBoolean({ message: 'must be true or false' })
  requireMfa?: boolean;
}

/** The administrators' PATCH of their own organization: at least one field. */
export class UpdateOwnOrganizationDto {
  @ApiPropertyOptional({ example: 'Demo Care Paris', minLength: 1, maxLength: 250 })
  @ValidateIfPresent()
  @IsDisplayName(250)
  name?: string;

  @ApiPropertyOptional({
    example: true,
    description:
      'Require a second factor to open a session (DESIGN 15): the sessions opened without one ' +
      'are revoked at once. Needs a session opened with a second factor.',
  })
  @ValidateIfPresent()
  @IsBoolean({ message: 'must be true or false' })
  requireMfa?: boolean;
}

export class ListOrganizationsQuery extends PageQuery {
  @ApiPropertyOptional({ example: 'crm-42', description: 'Only the organization with this key.' })
  @IsOptional()
  @Matches(EXTERNAL_ID, { message: EXTERNAL_ID_MESSAGE })
  externalId?: string;

  @ApiPropertyOptional({
    type: 'boolean',
    default: false,
    description: 'true: only archived organizations; false (the default): only those in service.',
  })
  @IsOptional()
  @QueryBoolean()
  @IsBoolean({ message: 'must be true or false' })
  archived?: boolean;
}

/** The changes a PATCH asks for; a body naming no field is refused rather than a no-op. */
function changesFrom(body: UpdateOrganizationDto, accepted: string): OrganizationChanges {
  const changes: OrganizationChanges = {};
  if (body.name !== undefined) changes.name = body.name;
  if (body.externalId !== undefined) changes.externalId = body.externalId;
  if (body.requireMfa !== undefined) changes.requireMfa = body.requireMfa;
  if (Object.keys(changes).length === 0) {
    throw new AppException(ErrorCode.EMPTY_UPDATE, `Send at least one of ${accepted}.`);
  }
  return changes;
}

/** The operators' PATCH (svc plane). */
export const organizationChangesFrom = (body: UpdateOrganizationDto) =>
  changesFrom(body, 'name, externalId, requireMfa');

/** The administrators' PATCH of their own organization, which cannot set externalId. */
export const ownOrganizationChangesFrom = (body: UpdateOwnOrganizationDto) =>
  changesFrom(body, 'name, requireMfa');

export class OrganizationView {
  @ApiProperty({ type: 'integer', minimum: 1, example: 3 })
  id!: number;

  @ApiProperty({ example: 'Clinique Saint-Roch' })
  name!: string;

  @ApiProperty({ type: 'string', nullable: true, example: 'crm-42' })
  externalId!: string | null;

  @ApiProperty({ example: false })
  requireMfa!: boolean;

  @ApiProperty({ ...DATE_TIME, nullable: true, example: null })
  archivedAt!: string | null;

  @ApiProperty({ ...DATE_TIME, example: '2026-12-07T09:30:00.000Z' })
  createdAt!: string;

  @ApiProperty({ ...DATE_TIME, example: '2026-12-07T09:30:00.000Z' })
  updatedAt!: string;
}

export class OrganizationEnvelope {
  @ApiProperty({ type: () => OrganizationView })
  data!: OrganizationView;
}

export class OrganizationPage {
  @ApiProperty({ type: () => OrganizationView, isArray: true })
  data!: OrganizationView[];

  @ApiProperty({
    type: 'string',
    nullable: true,
    example: null,
    description: 'Pass as `cursor` for the next page; null on the last page.',
  })
  nextCursor!: string | null;
}

export function toOrganizationView(organization: Organization): OrganizationView {
  return {
    id: organization.id,
    name: organization.name,
    externalId: organization.externalId,
    requireMfa: organization.requireMfa,
    archivedAt: organization.archivedAt?.toISOString() ?? null,
    createdAt: organization.createdAt.toISOString(),
    updatedAt: organization.updatedAt.toISOString(),
  };
}
