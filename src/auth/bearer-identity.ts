import { emailKey } from '../common/validation/email-key';

/** What a verified access token says, for either plane; the user row is read by the next guard. */
export interface BearerIdentity {
  /** The issuer of DESIGN 5 (the token's `iss`, or the default issuer for one without). */
  issuer: string;
  subject: string;
  /**
   * The token's `email`, only when its provider marks it verified, the issuer's emails count
   * for invitations (the default issuer's, or `trustEmail`), and it fits the users table.
   */
  verifiedEmail: string | null;
  /** Its `aud` holds what people's tokens for this API carry (the issuer's audience, if set). */
  forPeople: boolean;
  /** Its `aud` holds AUTH_SERVICE_AUDIENCE: a token for the `svc` plane. */
  forServices: boolean;
  /** The client it was issued to: RFC 9068's `client_id`, else `azp`, else Entra's `appid`. */
  clientId: string | null;
  /** It carries no user: its `sub` is its client id, or Entra ID marks it `idtyp: "app"`. */
  application: boolean;
  /** What it asks for: its `scope` (space-separated) and `roles` (Entra ID app roles). */
  grants: string[];
  /** RFC 8176 authentication methods, `acr` and `auth_time` (DESIGN 15). */
  amr: string[];
  acr: string | null;
  authTime: number | null;
}

export class InvalidBearerClaimsError extends Error {}

/** The issuer a token was verified as, as far as the claims' reading needs it. */
export interface VerifiedIssuer {
  issuer: string;
  audience: string | undefined;
  trustEmail: boolean;
}

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];

const text = (value: unknown): string | null =>
  typeof value === 'string' && value.length > 0 ? value : null;

/**
 * Reads a verified token's claims (DESIGN 5, 13). `serviceAudience` is AUTH_SERVICE_AUDIENCE,
 * undefined where the `svc` plane is off.
 */
export function bearerIdentity(
  payload: Record<string, unknown>,
  issuer: VerifiedIssuer,
  serviceAudience: string | undefined,
): BearerIdentity {
  const { sub } = payload;
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > 255) {
    throw new InvalidBearerClaimsError('sub is required');
  }
  if (typeof payload.exp !== 'number') throw new InvalidBearerClaimsError('exp is required');
  const audiences = typeof payload.aud === 'string' ? [payload.aud] : strings(payload.aud);
  const clientId = text(payload.client_id) ?? text(payload.azp) ?? text(payload.appid);
  const verifiedEmail =
    issuer.trustEmail &&
    payload.email_verified === true &&
    typeof payload.email === 'string' &&
    emailKey(payload.email) !== null
      ? payload.email.trim()
      : null;
  return {
    issuer: issuer.issuer,
    subject: sub,
    verifiedEmail,
    forPeople: issuer.audience === undefined || audiences.includes(issuer.audience),
    forServices: serviceAudience !== undefined && audiences.includes(serviceAudience),
    clientId,
    application: (clientId !== null && sub === clientId) || payload.idtyp === 'app',
    grants: [
      ...(typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : []),
      ...strings(payload.roles),
    ],
    amr: strings(payload.amr),
    acr: text(payload.acr),
    authTime: typeof payload.auth_time === 'number' ? payload.auth_time : null,
  };
}

/**
 * Why a token may not act for a person on the `rs` routes, or null: a token for services, or
 * one not issued for this API's people (another client's audience).
 */
export function personPlaneRefusal(identity: BearerIdentity): string | null {
  if (identity.forServices) return 'a service token is not accepted on the routes for people';
  if (!identity.forPeople) return 'the token is not issued for this API';
  return null;
}
