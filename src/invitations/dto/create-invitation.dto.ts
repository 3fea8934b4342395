import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, Max, Min, ValidateBy } from 'class-validator';
import { emailKey, MAX_EMAIL_LENGTH } from '../../common/validation/email-key';
import { ValidateIfPresent } from '../../common/validation/validators';
import {
  NameProperty,
  PermissionsDto,
  PermissionsProperty,
  ProfessionIdProperty,
  ScopeProperty,
  Scope,
} from '../../users-organizations';

export const DEFAULT_INVITATION_SECONDS = 7 * 24 * 3600;
export const MAX_INVITATION_SECONDS = 30 * 24 * 3600;
const MIN_INVITATION_SECONDS = 60;
const LIFETIME_MESSAGE = `must be an integer from ${MIN_INVITATION_SECONDS} to ${MAX_INVITATION_SECONDS} (30 days)`;

/** Invites an email into the session organization, with the membership it will get. */
export class CreateInvitationDto {
  @ApiProperty({
    // Not frank, whom the demo data invites already: Try it out would answer 409.
    example: 'nina@example.com',
    maxLength: MAX_EMAIL_LENGTH,
    description:
      'Who is invited. Accepting by id needs a sign-in whose verified email has the same ' +
      'normalized form (NFC, trimmed, lowercase, domain in ASCII).',
  })
  @ValidateBy({
    name: 'isEmailAddress',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && emailKey(value) !== null,
      defaultMessage: () => 'must be an email address',
    },
  })
  email!: string;

  @ScopeProperty({
    optional: false,
    example: Scope.Member,
    description: '1 = administrator, 2 = member.',
  })
  scope!: Scope;

  @NameProperty({ example: 'Nina' })
  firstName!: string;

  @NameProperty({ example: 'Roussel' })
  lastName!: string;

  @ProfessionIdProperty({ example: 1 })
  professionId?: number | null;

  @PermissionsProperty({ description: 'Defaults to no group and empty lists.' })
  permissions?: PermissionsDto;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: MIN_INVITATION_SECONDS,
    maximum: MAX_INVITATION_SECONDS,
    default: DEFAULT_INVITATION_SECONDS,
    description: 'How long the invitation can be accepted (default 7 days, at most 30).',
  })
  @ValidateIfPresent()
  @IsInt({ message: LIFETIME_MESSAGE })
  @Min(MIN_INVITATION_SECONDS, { message: LIFETIME_MESSAGE })
  @Max(MAX_INVITATION_SECONDS, { message: LIFETIME_MESSAGE })
  expiresInSeconds?: number;
}
