import { randomBytes, randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { signingSecrets, WebhookSigner } from './webhook-signer';

const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

describe('WebhookSigner', () => {
  it.each([
    ['an ASCII body', '{"id":"x","data":{"lastName":"Curie"}}'],
    ['a body with non-ASCII text', '{"data":{"firstName":"Zoë 😀 李","lastName":"\\u0000"}}'],
    ['an empty body', ''],
  ])('signs %s exactly as the standardwebhooks package does', (_case, body) => {
    for (let i = 0; i < 20; i++) {
      const secret = newSecret();
      const id = randomUUID();
      const at = new Date(1_700_000_000_000 + i * 1_234_567);
      expect(new WebhookSigner(secret).sign(id, at, body)).toBe(
        new Webhook(secret).sign(id, at, body),
      );
    }
  });

  it("makes signatures the package's verifier accepts, and only for the signed body", () => {
    const secret = newSecret();
    const id = randomUUID();
    const at = new Date();
    const body = '{"type":"membership.updated"}';
    const headers = {
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new WebhookSigner(secret).sign(id, at, body),
    };
    expect(new Webhook(secret).verify(body, headers)).toEqual({ type: 'membership.updated' });
    expect(() => new Webhook(secret).verify(body.replace('updated', 'deleted'), headers)).toThrow();
    expect(() => new Webhook(newSecret()).verify(body, headers)).toThrow();
  });

  it('refuses an empty secret', () => {
    expect(() => new WebhookSigner('whsec_')).toThrow('cannot be empty');
  });
});

describe('signingSecrets', () => {
  const now = new Date('2026-12-07T10:00:00Z');
  const row = (previousSecret: string | null, previousSecretExpiresAt: Date | string | null) => ({
    secret: 'whsec_current',
    previousSecret,
    previousSecretExpiresAt,
  });

  it('signs with the previous secret too until it expires, as the row states it', () => {
    expect(signingSecrets(row('whsec_old', new Date('2026-12-07T10:00:01Z')), now)).toEqual([
      'whsec_current',
      'whsec_old',
    ]);
    // MySQL hands DATETIME(3) back as text in UTC.
    expect(signingSecrets(row('whsec_old', '2026-12-07 10:00:01.000'), now)).toEqual([
      'whsec_current',
      'whsec_old',
    ]);
    expect(signingSecrets(row('whsec_old', now), now)).toEqual(['whsec_current']);
    expect(signingSecrets(row(null, null), now)).toEqual(['whsec_current']);
  });
});
