import type { INestApplicationContext } from '@nestjs/common';
import { createSecretKey } from 'node:crypto';
import { sign } from 'jsonwebtoken';
import type { AppConfig } from '../config';
import { DatabaseService } from '../database';
import { DEMO_ORGANIZATIONS } from './demo-data';
import { UsersRepository } from '../users';
import { hasSecondFactor, SessionsService } from '../auth';

export interface DemoTokens {
  bearerToken: string;
  /** Absent when no organization was asked for (a newcomer with invitations only). */
  sessionToken?: string;
  expiresAt: string;
}

export interface DemoTokenRequest {
  subject: string;
  organizationId?: number;
  /** Added to the bearer as a verified email, so its holder can see and accept invitations. */
  email?: string;
  /** RFC 8176 methods for `amr` (`mfa` shows a second factor, DESIGN 15). */
  amr?: string[];
  /** `auth_time`, seconds since the epoch (default: now). */
  authTime?: number;
}

/**
 * Mints an access token as the identity provider would, and opens a real session: for local
 * use only (the start-up banner and `npm run token`). Impossible with a JWKS (the private key
 * belongs to the identity provider) and refused in production, where no demo exists.
 */
export async function mintDemoTokens(
  app: INestApplicationContext,
  config: AppConfig,
  request: DemoTokenRequest,
): Promise<DemoTokens> {
  if (config.env === 'production') {
    throw new Error('NODE_ENV is production: tokens come from the identity provider only');
  }
  if (config.bearer.kind !== 'secret') {
    throw new Error('AUTH_JWKS_URI is set: access tokens come from the identity provider');
  }
  const amr = request.amr ?? [];
  const claims = {
    ...(request.email ? { email: request.email, email_verified: true } : {}),
    ...(amr.length > 0 ? { amr } : {}),
    auth_time: request.authTime ?? Math.floor(Date.now() / 1000),
  };
  const bearerToken = sign(
    { sub: request.subject, ...claims },
    createSecretKey(Buffer.from(config.bearer.secret)),
    {
      algorithm: 'HS256',
      expiresIn: config.sessionTtlSeconds,
      ...(config.issuer ? { issuer: config.issuer } : {}),
      ...(config.audience ? { audience: config.audience } : {}),
    },
  );
  const expiresAt = new Date(Date.now() + config.sessionTtlSeconds * 1000).toISOString();
  if (request.organizationId === undefined) return { bearerToken, expiresAt };
  const user = await app
    .get(UsersRepository)
    .findActive(config.auth.defaultIssuer, request.subject);
  if (user === null) {
    throw new Error(
      `No active user has the subject "${request.subject}": users appear at their first sign-in. ` +
        'For a newcomer with an invitation, use --email <address> (a bearer carrying that ' +
        'verified email, to see and accept it), then --organization once a member.',
    );
  }
  const session = await app.get(SessionsService).open(
    {
      user,
      verifiedEmailKey: null,
      mfa: hasSecondFactor({ amr, acr: null }, config.auth.mfaAcrValues),
      authTime: null,
      requestId: 'demo-tokens',
    },
    request.organizationId,
  );
  return { bearerToken, sessionToken: session.sessionToken, expiresAt: session.expiresAt };
}

/**
 * A client-credentials token as the identity provider would issue it to `clientId` (DESIGN 13):
 * `sub` and `client_id` are the client, `aud` the service audience, `scope` what it asks for.
 * Signed with the configured HS256 secret; development only, as the people's tokens.
 */
export function mintServiceToken(
  config: AppConfig,
  clientId: string,
  scope: string,
): { bearerToken: string; expiresAt: string } {
  if (config.env === 'production') {
    throw new Error('NODE_ENV is production: tokens come from the identity provider only');
  }
  if (config.bearer.kind !== 'secret') {
    throw new Error('AUTH_JWKS_URI is set: access tokens come from the identity provider');
  }
  if (config.auth.services === null)
    throw new Error('The svc plane is off: set AUTH_SERVICE_AUDIENCE');
  const bearerToken = sign(
    { sub: clientId, client_id: clientId, scope },
    createSecretKey(Buffer.from(config.bearer.secret)),
    {
      algorithm: 'HS256',
      expiresIn: config.sessionTtlSeconds,
      audience: config.auth.services.audience,
      ...(config.issuer ? { issuer: config.issuer } : {}),
    },
  );
  return {
    bearerToken,
    expiresAt: new Date(Date.now() + config.sessionTtlSeconds * 1000).toISOString(),
  };
}

/**
 * An active administrator to print demo tokens for, when the database holds the demo data:
 * alice in organization 1 as long as she is one, else the first other. Null without demo data
 * or without any administrator left.
 */
export async function demoAdministrator(
  app: INestApplicationContext,
): Promise<{ subject: string; organizationId: number } | null> {
  const database = app.get(DatabaseService);
  const [demo] = await database.query<{ name: string }>(
    'SELECT `name` FROM `organizations` WHERE `id` = ?',
    [DEMO_ORGANIZATIONS[0].id],
  );
  if (demo?.name !== DEMO_ORGANIZATIONS[0].name) return null;
  const rows = await database.query<{ subject: string; organizationId: number | string }>(
    'SELECT u.`subject`, m.`organizationId` FROM `memberships` m ' +
      'JOIN `users` u ON u.`id` = m.`userId` AND u.`deletedAt` IS NULL ' +
      'JOIN `organizations` o ON o.`id` = m.`organizationId` AND o.`archivedAt` IS NULL ' +
      'WHERE m.`scope` = 1 AND m.`deletedAt` IS NULL ' +
      "ORDER BY CASE WHEN u.`subject` = 'alice' THEN 0 ELSE 1 END, m.`organizationId`, m.`id` LIMIT 1",
  );
  return rows.length === 0
    ? null
    : { subject: rows[0].subject, organizationId: Number(rows[0].organizationId) };
}
