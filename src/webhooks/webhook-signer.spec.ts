import { randomBytes, randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { WebhookSigner } from './webhook-signer';

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
