import { AppException } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';
import type { BearerIdentity } from './bearer-identity';

/**
 * Whether a verified access token shows a second factor (DESIGN 15): `amr` holds `mfa`, or two
 * or more distinct RFC 8176 methods (one method alone is one factor, however strong), or `acr`
 * is one the operator lists in AUTH_MFA_ACR_VALUES.
 */
export function hasSecondFactor(
  identity: Pick<BearerIdentity, 'amr' | 'acr'>,
  acrValues: readonly string[],
): boolean {
  const methods = new Set(identity.amr);
  if (methods.has('mfa') || methods.size >= 2) return true;
  return identity.acr !== null && acrValues.includes(identity.acr);
}

/** 401 MFA_REQUIRED with RFC 9470's step-up challenge. */
export function mfaRequired(acrValues: readonly string[], detail: string): AppException {
  const acr = acrValues.length > 0 ? `, acr_values="${acrValues.join(' ')}"` : '';
  return new AppException(ErrorCode.MFA_REQUIRED, detail, {
    headers: {
      'WWW-Authenticate': `Bearer error="insufficient_user_authentication", error_description="A second factor is required"${acr}`,
    },
  });
}
