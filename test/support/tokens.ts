import { generateKeyPairSync, KeyObject } from 'node:crypto';
import { sign, SignOptions } from 'jsonwebtoken';

/** The secrets every test app is configured with (production-grade lengths, all distinct). */
export const TEST_BEARER_SECRET = 'test-bearer-secret-0123456789abcdef0123456789';
export const TEST_SESSION_SECRET = 'test-session-secret-0123456789abcdef012345678';

/** What production requires of the identity provider, for tests that start the app there. */
export const PRODUCTION_IDENTITY = {
  AUTH_JWT_ISSUER: 'https://idp.test.example',
  AUTH_JWT_AUDIENCE: 'users-organizations',
};

/** An access token as the identity provider would issue it (HS256 unless a key is given). */
export function bearerToken(
  subject: string | undefined,
  options: SignOptions & { secret?: string | KeyObject; claims?: Record<string, unknown> } = {},
): string {
  const { secret = TEST_BEARER_SECRET, claims = {}, ...signOptions } = options;
  const payload = subject === undefined ? { ...claims } : { sub: subject, ...claims };
  return sign(payload, secret, { algorithm: 'HS256', expiresIn: 600, ...signOptions });
}

/** A session token signed like the app's, for forging cases. */
export function sessionToken(
  claims: Record<string, unknown>,
  options: SignOptions & { secret?: string } = {},
): string {
  const { secret = TEST_SESSION_SECRET, ...signOptions } = options;
  return sign(claims, secret, { algorithm: 'HS256', expiresIn: 600, ...signOptions });
}

export function rsaKeyPair(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('rsa', { modulusLength: 2048 });
}
