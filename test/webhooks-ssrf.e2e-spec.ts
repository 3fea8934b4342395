import { HostResolver, ResolvedAddress } from '../src/webhooks';
import { ENGINES } from './support/databases';
import { createTeam, Team } from './support/organization';
import { sleep } from './support/processes';
import { NO_RATE_LIMITS, startTestApp, TestApp } from './support/test-app';
import { WebhookReceiver } from './support/webhook-receiver';

const USERS = '/users-organizations/v1/rs/users';
const WEBHOOKS = '/users-organizations/v1/rs/webhooks';
/** example.com's address: public, and never connected to (every test resolves it away first). */
const PUBLIC_ADDRESS = '93.184.215.14';

type Headers = Record<string, string>;

/**
 * SSRF (DESIGN 11) with the address rule on, as in production: no loopback, private,
 * link-local or metadata address, at registration and again at each delivery, after DNS.
 */
describe.each(ENGINES)('webhook targets on %s', (engine) => {
  let t: TestApp;
  let team: Team;
  let asAdmin: Headers;
  let receiver: WebhookReceiver;
  let resolve: jest.SpyInstance<Promise<ResolvedAddress[]>, [string]>;
  /** Names of the test's own; every other name resolves as the operating system says. */
  const names = new Map<string, ResolvedAddress[]>();

  beforeAll(async () => {
    t = await startTestApp(engine, {
      // The address rule as in production (outside it, private networks are allowed by default).
      env: {
        ...NO_RATE_LIMITS,
        WEBHOOK_RETRY_SCHEDULE_SECONDS: '60',
        WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'false',
      },
    });
    team = await createTeam(t);
    asAdmin = await t.login(team.admin.subject, team.organizationId);
    receiver = new WebhookReceiver();
    await receiver.start();
    const resolver = t.app.get(HostResolver);
    const real = resolver.resolve.bind(resolver);
    resolve = jest
      .spyOn(resolver, 'resolve')
      .mockImplementation((hostname) =>
        Promise.resolve(names.get(hostname) ?? []).then((found) =>
          found.length > 0 ? found : real(hostname),
        ),
      );
  });
  afterAll(async () => {
    resolve.mockRestore();
    await t.close();
    await receiver.close();
  });

  const register = (url: string) =>
    t
      .http()
      .post(WEBHOOKS)
      .set(asAdmin)
      .send({ url, events: ['*'] });

  it.each([
    ['the loopback address', () => receiver.url()],
    ['localhost, which resolves to 127.0.0.1', () => `http://localhost:${receiver.port}/hook`],
    ['IPv6 loopback', () => 'http://[::1]/hook'],
    ['127.0.0.1 written as a number', () => 'http://2130706433/hook'],
    ['a private address', () => 'http://10.0.0.8/hook'],
    ['the cloud metadata address', () => 'http://169.254.169.254/latest/meta-data'],
    ['an IPv4-mapped IPv6 loopback', () => 'http://[::ffff:127.0.0.1]/hook'],
    ['an IPv4-compatible IPv6 loopback (the audit of 2026-12-07)', () => 'https://[::127.0.0.1]/'],
    ['the IPv4-compatible metadata address', () => 'https://[::169.254.169.254]/'],
    ['the NAT64 form of the metadata address', () => 'https://[64:ff9b::a9fe:a9fe]/'],
    ['the 6to4 form of loopback', () => 'https://[2002:7f00:1::]/'],
    ['127.0.0.1 in octal', () => 'https://0177.0.0.1/'],
    ['the metadata address in hexadecimal', () => 'https://0xa9fea9fe/'],
    ['a name of the test resolving to a private address', () => 'https://intranet.test/hook'],
    ['a name resolving to public and private addresses', () => 'https://mixed.test/hook'],
  ])('refuses %s at registration', async (_name, url) => {
    names.set('intranet.test', [{ address: '192.168.1.20', family: 4 }]);
    names.set('mixed.test', [
      { address: PUBLIC_ADDRESS, family: 4 },
      { address: '127.0.0.1', family: 4 },
    ]);
    const response = await register(url()).expect(400);
    expect(response.body.code).toBe('WEBHOOK_URL_REFUSED');
    expect(response.body.errors).toEqual([{ field: 'url', message: expect.any(String) }]);
    // The rule, never an address a name resolved to.
    expect(JSON.stringify(response.body)).not.toMatch(/192\.168\.1\.20|resolved to/);
  });

  it('refuses a name that does not resolve', async () => {
    const response = await register('https://nowhere.invalid/hook').expect(400);
    expect(response.body.errors[0].message).toBe('nowhere.invalid does not resolve');
  });

  it('refuses a name that resolved to a public address at registration and to 127.0.0.1 at delivery', async () => {
    const host = `rebind-${engine}.test`;
    names.set(host, [{ address: PUBLIC_ADDRESS, family: 4 }]);
    const created = await register(`http://${host}:${receiver.port}/rebound`).expect(201);
    // DNS rebinding: the same name now points at the app's own machine (the receiver).
    names.set(host, [{ address: '127.0.0.1', family: 4 }]);
    await t
      .http()
      .patch(`${USERS}/${team.plain.userId}`)
      .set(asAdmin)
      .send({ lastName: 'Rebound' })
      .expect(200);
    let attempts: { outcome: string; error: string; responseStatus: number | null }[] = [];
    for (let tries = 0; tries < 100 && attempts.length === 0; tries++) {
      await sleep(50);
      const listed = await t
        .http()
        .get(`${WEBHOOKS}/${created.body.data.id}/deliveries`)
        .set(asAdmin)
        .expect(200);
      attempts = listed.body.data[0]?.attempts ?? [];
    }
    expect(attempts).toEqual([
      expect.objectContaining({
        outcome: 'failed',
        responseStatus: null,
        error: `${host} does not resolve to public addresses only: webhooks only go to public addresses (WEBHOOK_ALLOW_PRIVATE_NETWORKS=true lifts this rule on closed networks)`,
      }),
    ]);
    expect(JSON.stringify(attempts)).not.toContain('127.0.0.1');
    expect(receiver.received).toHaveLength(0);
  });
});
