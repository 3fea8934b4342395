import { createHmac, createSecretKey, KeyObject } from 'node:crypto';
import { fromDatabaseTimestamp } from '../database';

const SECRET_PREFIX = 'whsec_';

/**
 * Signs deliveries for one endpoint secret as the Standard Webhooks specification says:
 * `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, the timestamp in seconds, the key being the
 * base64 after `whsec_`. node:crypto's HMAC rather than the `standardwebhooks` package's: that
 * one hashes in JavaScript and was a twelfth of a delivery's CPU. The unit test holds the two to
 * the same output, and the e2e tests verify every delivery with the package.
 */
export class WebhookSigner {
  private readonly key: KeyObject;

  constructor(secret: string) {
    const key = Buffer.from(
      secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret,
      'base64',
    );
    if (key.length === 0) throw new Error('A webhook secret cannot be empty');
    this.key = createSecretKey(key);
  }

  sign(id: string, at: Date, body: string): string {
    const seconds = Math.floor(at.getTime() / 1000);
    return `v1,${createHmac('sha256', this.key).update(`${id}.${seconds}.${body}`).digest('base64')}`;
  }
}

/**
 * The secrets an endpoint's deliveries are signed with, as its row holds them: the current one,
 * and during a rotation the previous one until it expires (the receiver may verify either).
 */
export function signingSecrets(
  row: {
    secret: string;
    previousSecret: string | null;
    previousSecretExpiresAt: Date | string | null;
  },
  now: Date,
): string[] {
  const previousUntil = fromDatabaseTimestamp(row.previousSecretExpiresAt);
  return row.previousSecret !== null && previousUntil !== null && previousUntil > now
    ? [row.secret, row.previousSecret]
    : [row.secret];
}
