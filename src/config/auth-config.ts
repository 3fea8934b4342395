import { isURL } from 'class-validator';
import type { EnvironmentVariables } from './environment';

/** What a service client may be granted (DESIGN 13). */
export const SERVICE_RIGHTS = [
  'organizations:read',
  'organizations:write',
  'invitations:write',
  'authz:check',
  'authz:search',
  'users:erase',
] as const;
export type ServiceRight = (typeof SERVICE_RIGHTS)[number];

/** The service audience outside production when AUTH_SERVICE_AUDIENCE is unset. */
export const DEVELOPMENT_SERVICE_AUDIENCE = 'users-organizations-services';

/** An identity provider trusted beside the default one (AUTH_ISSUERS): always a JWKS. */
export interface ExtraIssuerConfig {
  issuer: string;
  jwksUri: string;
  audience?: string;
  /** Whether its verified emails count for invitations (only the default issuer's do else). */
  trustEmail: boolean;
}

export interface ServiceClientConfig {
  rights: ServiceRight[];
  /** The organizations it acts on: every one, or these ids. */
  organizations: '*' | number[];
}

/** The `svc` plane (DESIGN 13); null where it is off (production without its audience). */
export interface ServicePlaneConfig {
  audience: string;
  /**
   * The clients allowed, by client id; null outside production when SERVICE_CLIENTS is unset:
   * any client, with every right on every organization (the token CLI's clients).
   */
  clients: Record<string, ServiceClientConfig> | null;
}

export interface AuthConfig {
  /**
   * The default issuer of DESIGN 5: AUTH_JWT_ISSUER, or '' when unset (development only), the
   * issuer of tokens without `iss` and of the users the migration, the seed and the CLI make.
   */
  defaultIssuer: string;
  extraIssuers: ExtraIssuerConfig[];
  services: ServicePlaneConfig | null;
  /** `acr` values that count as a second factor (AUTH_MFA_ACR_VALUES), besides `amr`. */
  mfaAcrValues: string[];
  /** ERASURE_MAX_AUTH_AGE_SECONDS: how old a token's `auth_time` may be to erase oneself. */
  erasureMaxAuthAgeSeconds: number;
}

const ISSUER_KEYS = new Set(['issuer', 'jwksUri', 'audience', 'trustEmail']);
const CLIENT_KEYS = new Set(['rights', 'organizations']);
const CLIENT_ID = /^[\x21-\x7e]{1,255}$/;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseJson(name: string, text: string, problems: string[]): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    problems.push(`${name} must be valid JSON`);
    return undefined;
  }
}

/** AUTH_ISSUERS: `[{issuer, jwksUri, audience, trustEmail?}]`, one entry per issuer. */
function parseIssuers(
  text: string | undefined,
  production: boolean,
  problems: string[],
): ExtraIssuerConfig[] {
  if (text === undefined) return [];
  const value = parseJson('AUTH_ISSUERS', text, problems);
  if (value === undefined) return [];
  const form = 'AUTH_ISSUERS must be a JSON array of {"issuer", "jwksUri", "audience"} objects';
  if (!Array.isArray(value) || value.length === 0 || value.length > 20) {
    problems.push(`${form} (1 to 20 of them)`);
    return [];
  }
  const issuers: ExtraIssuerConfig[] = [];
  value.forEach((entry: unknown, index) => {
    const at = `AUTH_ISSUERS[${index}]`;
    if (!isObject(entry) || Object.keys(entry).some((key) => !ISSUER_KEYS.has(key))) {
      problems.push(`${at}: ${form}, with an optional "trustEmail" (true or false)`);
      return;
    }
    const { issuer, jwksUri, audience, trustEmail } = entry;
    if (typeof issuer !== 'string' || issuer.length === 0 || issuer.length > 255) {
      problems.push(`${at}.issuer must be the provider's issuer, 1 to 255 characters`);
      return;
    }
    if (
      typeof jwksUri !== 'string' ||
      !isURL(jwksUri, {
        protocols: production ? ['https'] : ['http', 'https'],
        require_tld: false,
        require_protocol: true,
      })
    ) {
      problems.push(`${at}.jwksUri must be an ${production ? 'https' : 'http(s)'} URL`);
      return;
    }
    if (audience !== undefined && (typeof audience !== 'string' || audience.length === 0)) {
      problems.push(`${at}.audience must be a non-empty string`);
      return;
    }
    if (production && audience === undefined) {
      problems.push(`${at}.audience is required in production`);
    }
    if (trustEmail !== undefined && typeof trustEmail !== 'boolean') {
      problems.push(`${at}.trustEmail must be true or false`);
      return;
    }
    issuers.push({ issuer, jwksUri, audience, trustEmail: trustEmail === true });
  });
  return issuers;
}

/** SERVICE_CLIENTS: `{clientId: {rights: [...], organizations: "*" | [ids]}}`. */
function parseClients(
  text: string,
  problems: string[],
): Record<string, ServiceClientConfig> | null {
  const value = parseJson('SERVICE_CLIENTS', text, problems);
  if (value === undefined) return {};
  if (!isObject(value)) {
    problems.push(
      'SERVICE_CLIENTS must be a JSON object {"<client id>": {"rights": [...], "organizations": "*" or [ids]}}',
    );
    return {};
  }
  const clients: Record<string, ServiceClientConfig> = {};
  for (const [clientId, entry] of Object.entries(value)) {
    const at = `SERVICE_CLIENTS["${clientId}"]`;
    if (!CLIENT_ID.test(clientId)) {
      problems.push(`${at}: a client id is 1 to 255 visible ASCII characters`);
      continue;
    }
    if (!isObject(entry) || Object.keys(entry).some((key) => !CLIENT_KEYS.has(key))) {
      problems.push(`${at} must be {"rights": [...], "organizations": "*" or [ids]}`);
      continue;
    }
    const { rights, organizations } = entry;
    if (
      !Array.isArray(rights) ||
      rights.some((right) => !(SERVICE_RIGHTS as readonly unknown[]).includes(right))
    ) {
      problems.push(`${at}.rights must be a list of ${SERVICE_RIGHTS.join(', ')}`);
      continue;
    }
    const everyOrganization = organizations === '*';
    if (
      !everyOrganization &&
      (!Array.isArray(organizations) ||
        organizations.some((id) => !Number.isSafeInteger(id) || (id as number) < 1))
    ) {
      problems.push(`${at}.organizations must be "*" or a list of organization ids`);
      continue;
    }
    clients[clientId] = {
      rights: [...new Set(rights as ServiceRight[])],
      organizations: everyOrganization ? '*' : [...new Set(organizations as number[])],
    };
  }
  return clients;
}

/** The identity providers and the `svc` plane, from checked variables; adds cross-field problems. */
export function loadAuthConfig(
  variables: EnvironmentVariables,
  production: boolean,
  problems: string[],
): AuthConfig {
  const defaultIssuer = variables.AUTH_JWT_ISSUER ?? '';
  if (production) {
    if (variables.AUTH_JWT_ISSUER === undefined) {
      problems.push('AUTH_JWT_ISSUER is required in production');
    }
    if (variables.AUTH_JWT_AUDIENCE === undefined) {
      problems.push(
        'AUTH_JWT_AUDIENCE is required in production (a token another client of the provider obtained is not for this API)',
      );
    }
  }
  const extraIssuers = parseIssuers(variables.AUTH_ISSUERS, production, problems);
  const names = [defaultIssuer, ...extraIssuers.map((entry) => entry.issuer)];
  if (new Set(names).size !== names.length) {
    problems.push('AUTH_ISSUERS must name each issuer once, and not AUTH_JWT_ISSUER again');
  }

  const audience =
    variables.AUTH_SERVICE_AUDIENCE ?? (production ? undefined : DEVELOPMENT_SERVICE_AUDIENCE);
  const userAudiences = [
    variables.AUTH_JWT_AUDIENCE,
    ...extraIssuers.map((entry) => entry.audience),
  ];
  if (audience !== undefined && userAudiences.includes(audience)) {
    problems.push(
      "AUTH_SERVICE_AUDIENCE must differ from AUTH_JWT_AUDIENCE and every issuer's audience: services' and people's tokens are told apart by it",
    );
  }
  if (variables.SERVICE_CLIENTS !== undefined && audience === undefined) {
    problems.push('SERVICE_CLIENTS needs AUTH_SERVICE_AUDIENCE in production');
  }
  const clients =
    variables.SERVICE_CLIENTS !== undefined
      ? parseClients(variables.SERVICE_CLIENTS, problems)
      : production
        ? {}
        : null;
  return {
    defaultIssuer,
    extraIssuers,
    services: audience === undefined ? null : { audience, clients },
    mfaAcrValues: variables.AUTH_MFA_ACR_VALUES?.split(' ') ?? [],
    erasureMaxAuthAgeSeconds: variables.ERASURE_MAX_AUTH_AGE_SECONDS ?? 300,
  };
}
