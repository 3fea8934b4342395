import type { INestApplicationContext } from '@nestjs/common';
import { createSecretKey } from 'node:crypto';
import { sign } from 'jsonwebtoken';
import type { AppConfig } from '../config/app-config';
import { SessionsRepository } from './sessions.repository';
import { SessionsService } from './sessions.service';

export interface DemoTokens {
  bearerToken: string;
  sessionToken: string;
  expiresAt: string;
}

/**
 * Mints an access token as the identity provider would, and opens a real session: for local
 * use only (the start-up banner and `npm run token`). Impossible with a JWKS: the private key
 * belongs to the identity provider.
 */
export async function mintDemoTokens(
  app: INestApplicationContext,
  config: AppConfig,
  subject: string,
  organizationId: number,
): Promise<DemoTokens> {
  if (config.bearer.kind !== 'secret') {
    throw new Error('AUTH_JWKS_URI is set: access tokens come from the identity provider');
  }
  const user = await app.get(SessionsRepository).findActiveUserBySubject(subject);
  if (user === null) throw new Error(`No active user has the subject "${subject}"`);
  const session = await app
    .get(SessionsService)
    .open({ user, requestId: 'demo-tokens' }, organizationId);
  const bearerToken = sign({ sub: subject }, createSecretKey(Buffer.from(config.bearer.secret)), {
    algorithm: 'HS256',
    expiresIn: config.sessionTtlSeconds,
    ...(config.issuer ? { issuer: config.issuer } : {}),
    ...(config.audience ? { audience: config.audience } : {}),
  });
  return { bearerToken, sessionToken: session.sessionToken, expiresAt: session.expiresAt };
}
