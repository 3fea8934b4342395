import { isURL, IsOptional, IsString, Matches, MinLength, ValidateBy } from 'class-validator';

/**
 * The identity providers' and the service plane's variables (DESIGN 5, 13, 15), each checked on
 * its own here; auth-config.ts checks them together.
 */
export class IdentityVariables {
  @IsOptional()
  @IsString()
  @MinLength(1, { message: 'AUTH_JWT_ISSUER must not be empty when set' })
  AUTH_JWT_ISSUER?: string;

  @IsOptional()
  @IsString()
  @MinLength(1, { message: 'AUTH_JWT_AUDIENCE must not be empty when set' })
  AUTH_JWT_AUDIENCE?: string;

  /** JSON, checked field by field in auth-config.ts. */
  @IsOptional()
  @IsString()
  AUTH_ISSUERS?: string;

  @IsOptional()
  @Matches(/^[\x21-\x7e]{1,255}$/, {
    message: 'AUTH_SERVICE_AUDIENCE must be 1 to 255 visible ASCII characters',
  })
  AUTH_SERVICE_AUDIENCE?: string;

  /** Space-separated `acr` values that count as a second factor (DESIGN 15). */
  @IsOptional()
  @Matches(/^[\x21-\x7e]{1,255}( [\x21-\x7e]{1,255}){0,19}$/, {
    message: 'AUTH_MFA_ACR_VALUES must be 1 to 20 acr values separated by single spaces',
  })
  AUTH_MFA_ACR_VALUES?: string;

  /** JSON, checked field by field in auth-config.ts. */
  @IsOptional()
  @IsString()
  SERVICE_CLIENTS?: string;

  /** Where clients reach the API: the decision point's metadata is built from it. */
  @IsOptional()
  @ValidateBy({
    name: 'isBaseUrl',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'string' &&
        !/[?#]/.test(value) &&
        isURL(value, { protocols: ['http', 'https'], require_tld: false, require_protocol: true }),
      defaultMessage: () =>
        'PUBLIC_BASE_URL must be the http(s) URL clients reach the API at, without query or fragment, e.g. https://api.example',
    },
  })
  PUBLIC_BASE_URL?: string;
}
