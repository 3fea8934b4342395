import { ENGINES } from './support/databases';
import { asService, expectProblem, OPERATOR, SVC_ORGANIZATIONS } from './support/service';
import { startTestApp, TestApp } from './support/test-app';
import { FAST_WEBHOOKS, WebhookReceiver } from './support/webhook-receiver';

const WEBHOOKS = '/users-organizations/v1/rs/webhooks';

describe.each(ENGINES)('what services change, outside the process, on %s', (engine) => {
  let t: TestApp;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    t = await startTestApp(engine, { env: FAST_WEBHOOKS });
    receiver = new WebhookReceiver();
    await receiver.start();
  });
  afterAll(async () => {
    await t.close();
    await receiver.close();
  });

  it('delivers organization events to the organization’s endpoints, naming the client', async () => {
    const alice = await t.login('alice', 1);
    const path = '/organization-events';
    await t
      .http()
      .post(WEBHOOKS)
      .set(alice)
      .send({ url: receiver.url(path), events: ['organization.updated', 'organization.archived'] })
      .expect(201);
    await t
      .http()
      .patch(`${SVC_ORGANIZATIONS}/1`)
      .set(OPERATOR)
      .send({ name: 'Demo Care Paris Nord' })
      .expect(200);
    await t.http().delete(`${SVC_ORGANIZATIONS}/1`).set(OPERATOR).expect(204);
    const mine = () => receiver.received.filter((delivery) => delivery.path === path);
    await receiver.waitFor(() => mine().length >= 2);
    expect(mine().map((delivery) => delivery.json.type)).toEqual([
      'organization.updated',
      'organization.archived',
    ]);
    expect(mine()[0].json).toMatchObject({
      organizationId: 1,
      data: {
        organization: { id: 1, name: 'Demo Care Paris Nord' },
        actorClientId: 'operator',
        actorUserId: null,
        changes: { name: { before: 'Demo Care Paris', after: 'Demo Care Paris Nord' } },
      },
    });
    await t.http().post(`${SVC_ORGANIZATIONS}/1/restore`).set(OPERATOR).expect(200);
  });
});

describe('rate limits on the svc plane', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('sqlite', {
      demo: false,
      env: { RATE_LIMIT_PER_USER_PER_MINUTE: '3', RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '0' },
    });
  });
  afterAll(() => t.close());

  it('count per client: one client limited leaves another untouched', async () => {
    const first = asService('first-client', 'organizations:read');
    const second = asService('second-client', 'organizations:read');
    for (let index = 0; index < 3; index++) {
      await t.http().get(SVC_ORGANIZATIONS).set(first).expect(200);
    }
    expectProblem(await t.http().get(SVC_ORGANIZATIONS).set(first), 429, 'RATE_LIMITED');
    await t.http().get(SVC_ORGANIZATIONS).set(second).expect(200);
  });
});
