import { randomUUID } from 'node:crypto';
import { AuditEventEntity } from '../src/audit/entities/audit-event.entity';
import { MembershipChangedEvent } from '../src/users-organizations/membership-events';
import { HostResolver, WebhookEndpointEntity } from '../src/webhooks';
import { ENGINES } from './support/databases';
import { ExtensionModule, MembershipEventRecorder } from './support/extension.module';
import { invite, issued } from './support/invitations';
import { createTeam, Team } from './support/organization';
import { movedBy, scrape } from './support/metrics';
import { sleep } from './support/processes';
import { startTestApp, TestApp } from './support/test-app';
import {
  FAST_WEBHOOKS,
  ReceivedDelivery,
  verifyDelivery,
  WebhookReceiver,
} from './support/webhook-receiver';
import { LOG_GUARD } from './support/log-guard';

const USERS = '/users-organizations/v1/rs/users';
const WEBHOOKS = '/users-organizations/v1/rs/webhooks';
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

type Headers = Record<string, string>;

/** Polls `condition` (a database read, a list) until it holds. */
async function eventually<T>(read: () => Promise<T>, holds: (value: T) => boolean, ms = 15_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (holds(value)) return value;
    if (Date.now() > deadline) throw new Error(`Still not there: ${JSON.stringify(value)}`);
    await sleep(50);
  }
}

describe.each(ENGINES)('webhooks on %s', (engine) => {
  let t: TestApp;
  let receiver: WebhookReceiver;
  let team: Team;
  let asAdmin: Headers;

  beforeAll(async () => {
    t = await startTestApp(engine, { env: FAST_WEBHOOKS, extraModules: [ExtensionModule] });
    receiver = new WebhookReceiver();
    await receiver.start();
  });
  afterAll(async () => {
    await t.close();
    await receiver.close();
  });

  beforeEach(async () => {
    team = await createTeam(t);
    asAdmin = await t.login(team.admin.subject, team.organizationId);
    receiver.received.length = 0;
    receiver.answer = () => ({ status: 204 });
  });

  const register = (headers: Headers, body: object) =>
    t.http().post(WEBHOOKS).set(headers).send(body);
  async function endpoint(events: string[] = ['*'], path = `/hook/${randomUUID()}`) {
    const response = await register(asAdmin, { url: receiver.url(path), events }).expect(201);
    return { ...(response.body.data as { id: number; secret: string; url: string }), path };
  }
  const rename = (userId: number, lastName: string) =>
    t.http().patch(`${USERS}/${userId}`).set(asAdmin).send({ lastName }).expect(200);
  const deliveries = (id: number, query = '') =>
    t.http().get(`${WEBHOOKS}/${id}/deliveries${query}`).set(asAdmin).expect(200);
  const at = (path: string) => receiver.received.filter((delivery) => delivery.path === path);
  const auditRow = (eventId: string) =>
    t.dataSource.getRepository(AuditEventEntity).findOneByOrFail({ eventId });

  describe('endpoints', () => {
    it('registers for administrators only, showing the Standard Webhooks secret once', async () => {
      const created = await register(asAdmin, {
        url: receiver.url('/hooks/roster'),
        events: ['membership.updated', 'membership.deleted'],
        description: 'Roster sync',
      }).expect(201);
      const data = created.body.data;
      expect(data).toMatchObject({
        url: receiver.url('/hooks/roster'),
        events: ['membership.updated', 'membership.deleted'],
        description: 'Roster sync',
        enabled: true,
        failingSince: null,
        disabledAt: null,
      });
      expect(data.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
      expect(Buffer.from(data.secret.slice(6), 'base64')).toHaveLength(32);

      const listed = await t.http().get(WEBHOOKS).set(asAdmin).expect(200);
      expect(listed.body.data).toHaveLength(1);
      expect(listed.body.data[0].id).toBe(data.id);
      expect(listed.body.data[0]).not.toHaveProperty('secret');
      expect(JSON.stringify(listed.body)).not.toContain(data.secret);

      const asPlain = await t.login(team.plain.subject, team.organizationId);
      const refused = await register(asPlain, { url: receiver.url(), events: ['*'] }).expect(403);
      expect(refused.body.code).toBe('ADMIN_REQUIRED');
      await t.http().get(WEBHOOKS).set(asPlain).expect(403);
    });

    it('validates the body: events known or *, an absolute URL', async () => {
      for (const body of [
        { url: receiver.url(), events: [] },
        { url: receiver.url(), events: ['membership.exploded'] },
        { url: receiver.url(), events: ['*', '*'] },
        { url: 'not a url', events: ['*'] },
        { url: receiver.url(), events: ['*'], extra: 1 },
        { events: ['*'] },
      ]) {
        const response = await register(asAdmin, body).expect(400);
        expect(['VALIDATION_FAILED', 'WEBHOOK_URL_REFUSED']).toContain(response.body.code);
        // This API's words, never class-validator's ("All events's elements must be unique").
        expect(JSON.stringify(response.body)).not.toMatch(/elements|should not|must contain/);
      }
      const twice = await register(asAdmin, { url: receiver.url(), events: ['*', '*'] }).expect(
        400,
      );
      expect(twice.body.errors).toEqual([
        { field: 'events', message: 'must name each event type at most once' },
      ]);
    });

    it("keeps organizations apart: another's endpoint is 404, its events never arrive", async () => {
      const mine = await endpoint();
      const other = await createTeam(t);
      const asOther = await t.login(other.admin.subject, other.organizationId);
      await t.http().get(`${WEBHOOKS}/${mine.id}/deliveries`).set(asOther).expect(404);
      await t.http().delete(`${WEBHOOKS}/${mine.id}`).set(asOther).expect(404);
      await t.http().post(`${WEBHOOKS}/${mine.id}/rotate-secret`).set(asOther).expect(404);
      await t
        .http()
        .patch(`${USERS}/${other.plain.userId}`)
        .set(asOther)
        .send({ lastName: 'Elsewhere' })
        .expect(200);
      await rename(team.plain.userId, 'Here');
      await receiver.waitFor(() => at(mine.path).length >= 1);
      await sleep(300);
      expect(at(mine.path).map((delivery) => delivery.json.organizationId)).toEqual([
        team.organizationId,
      ]);
    });
  });

  describe('deliveries', () => {
    it('delivers a change signed per Standard Webhooks, with the event id the in-process event has', async () => {
      const recorder = t.app.get(MembershipEventRecorder);
      recorder.clear();
      const hook = await endpoint(['membership.updated']);
      const patched = await rename(team.plain.userId, 'Delivered');
      await receiver.waitFor(() => at(hook.path).length === 1);
      const [delivery] = at(hook.path);

      expect(verifyDelivery(hook.secret, delivery)).toEqual(delivery.json);
      expect(() =>
        verifyDelivery(`whsec_${Buffer.alloc(32).toString('base64')}`, delivery),
      ).toThrow();
      expect(delivery.headers['content-type']).toBe('application/json');
      expect(delivery.id).toMatch(UUID_V7);
      expect(delivery.json).toEqual({
        id: delivery.id,
        type: 'membership.updated',
        timestamp: patched.body.data.updatedAt,
        organizationId: team.organizationId,
        data: {
          membership: patched.body.data,
          changes: { lastName: { before: 'Plain', after: 'Delivered' } },
          actorUserId: team.admin.userId,
        },
      });
      // One id everywhere: the audit row, the in-process event, the webhook.
      expect((await auditRow(delivery.id)).targetUserId).toBe(team.plain.userId);
      const event = recorder.received.at(-1)?.event as MembershipChangedEvent;
      expect(event.eventId).toBe(delivery.id);

      const listed = await eventually(
        () => deliveries(hook.id),
        (response) => response.body.data[0]?.status === 'succeeded',
      );
      expect(listed.body.data).toEqual([
        {
          id: expect.any(Number),
          eventId: delivery.id,
          eventType: 'membership.updated',
          status: 'succeeded',
          nextAttemptAt: null,
          createdAt: expect.any(String),
          attempts: [
            {
              attemptedAt: expect.any(String),
              durationMs: expect.any(Number),
              responseStatus: 204,
              outcome: 'succeeded',
              error: null,
              // The receiver is on loopback: what it answers stays out of the administrator's view.
              responseBody: null,
            },
          ],
        },
      ]);
    });

    it('sends only the event types asked for, and nothing from before the endpoint existed', async () => {
      await rename(team.plain.userId, 'Before');
      const hook = await endpoint(['membership.deleted']);
      await rename(team.plain.userId, 'Ignored');
      await t.http().delete(`${USERS}/${team.reader.userId}`).set(asAdmin).expect(204);
      await receiver.waitFor(() => at(hook.path).length >= 1);
      await sleep(300);
      expect(at(hook.path).map((delivery) => delivery.json.type)).toEqual(['membership.deleted']);
      expect(at(hook.path)[0].json.data.membership).toMatchObject({
        userId: team.reader.userId,
        deletedAt: expect.any(String),
      });
    });

    it('never sends an invitation token: not in the webhook, not in the audit row', async () => {
      const hook = await endpoint(['invitation.created', 'invitation.resent']);
      const created = issued(
        await invite(t, asAdmin, { email: `hooked.${engine}@example.com` }).expect(201),
      );
      const resent = await t
        .http()
        .post(`/users-organizations/v1/rs/invitations/${created.id}/resend`)
        .set(asAdmin)
        .expect(200);
      await receiver.waitFor(() => at(hook.path).length === 2);
      const [first, second] = at(hook.path);
      expect(first.json.type).toBe('invitation.created');
      expect(second.json.type).toBe('invitation.resent');
      expect(first.json.data.invitation).toMatchObject({ id: created.id, status: 'pending' });
      for (const token of [created.token, resent.body.data.token as string]) {
        const secretPart = token;
        for (const delivery of [first, second]) {
          expect(delivery.body).not.toContain(secretPart);
        }
        const rows = await t.dataSource
          .getRepository(AuditEventEntity)
          .findBy({ organizationId: team.organizationId });
        expect(JSON.stringify(rows)).not.toContain(secretPart);
      }
    });

    it('retries with backoff, keeping the order: a later event waits for the one before', async () => {
      const hook = await endpoint(['membership.updated']);
      const metricsBefore = await scrape(t.http);
      let failures = 2;
      receiver.answer = () => (failures-- > 0 ? { status: 503, body: 'busy' } : { status: 200 });
      await rename(team.plain.userId, 'First');
      await rename(team.plain.userId, 'Second');
      await receiver.waitFor(() => new Set(at(hook.path).map((d) => d.id)).size === 2);
      const arrivals = at(hook.path);
      const [first, second] = [...new Set(arrivals.map((delivery) => delivery.id))];
      expect(arrivals.map((delivery) => delivery.id)).toEqual([first, first, first, second]);
      expect(arrivals.map((delivery) => delivery.json.data.changes)).toEqual([
        ...new Array(3).fill({ lastName: { before: 'Plain', after: 'First' } }),
        { lastName: { before: 'First', after: 'Second' } },
      ]);
      // The schedule's delays (0.2 s, then 0.3 s, each ±20%) separate the attempts.
      expect(arrivals[1].receivedAt - arrivals[0].receivedAt).toBeGreaterThanOrEqual(150);
      expect(arrivals[2].receivedAt - arrivals[1].receivedAt).toBeGreaterThanOrEqual(230);

      const listed = await eventually(
        () => deliveries(hook.id),
        (response) => response.body.data.every((d: { status: string }) => d.status === 'succeeded'),
      );
      const oldest = listed.body.data[1];
      expect(oldest.eventId).toBe(first);
      expect(
        oldest.attempts.map((a: ReceivedAttempt) => [a.outcome, a.responseStatus, a.responseBody]),
      ).toEqual([
        ['failed', 503, null],
        ['failed', 503, null],
        ['succeeded', 200, null],
      ]);
      expect(oldest.attempts[0].error).toBe('The receiver answered 503');

      // /metrics: each attempt by outcome, and the lag of each delivery (an earlier test's last
      // delivery may be recorded meanwhile: at least ours).
      const metricsAfter = await scrape(t.http);
      const moved = movedBy(metricsBefore, metricsAfter, 'webhook_delivery_attempts_total');
      expect(moved['webhook_delivery_attempts_total{outcome="retrying"}']).toBe(2);
      expect(moved['webhook_delivery_attempts_total{outcome="succeeded"}']).toBeGreaterThanOrEqual(
        2,
      );
      expect(
        movedBy(metricsBefore, metricsAfter, 'event_relay_lag_seconds_count{sink="webhook"}')[
          'event_relay_lag_seconds_count{sink="webhook"}'
        ],
      ).toBeGreaterThanOrEqual(2);
    });

    it('fails a delivery after the last try, moves on, and retries it by hand', async () => {
      const hook = await endpoint(['membership.updated']);
      receiver.answer = (delivery) =>
        (delivery.json.data.membership as { lastName: string }).lastName === 'Doomed'
          ? { status: 500 }
          : { status: 204 };
      await rename(team.plain.userId, 'Doomed');
      await rename(team.plain.userId, 'Next');
      const listed = await eventually(
        () => deliveries(hook.id),
        (response) =>
          response.body.data.length === 2 &&
          response.body.data.every((d: { status: string }) => d.status !== 'pending'),
      );
      const [next, doomed] = listed.body.data;
      expect(doomed).toMatchObject({ status: 'failed', nextAttemptAt: null });
      expect(doomed.attempts).toHaveLength(3);
      expect(next.status).toBe('succeeded');
      const failed = await deliveries(hook.id, '?status=failed');
      expect(failed.body.data.map((d: { id: number }) => d.id)).toEqual([doomed.id]);
      // Newest first, a page at a time.
      const first = await deliveries(hook.id, '?limit=1');
      expect(first.body.data.map((d: { id: number }) => d.id)).toEqual([next.id]);
      const second = await deliveries(
        hook.id,
        `?limit=1&cursor=${encodeURIComponent(first.body.nextCursor as string)}`,
      );
      expect(second.body.data.map((d: { id: number }) => d.id)).toEqual([doomed.id]);

      const notFailed = await t
        .http()
        .post(`${WEBHOOKS}/${hook.id}/deliveries/${next.id}/retry`)
        .set(asAdmin)
        .expect(409);
      expect(notFailed.body.code).toBe('WEBHOOK_DELIVERY_NOT_FAILED');
      await t
        .http()
        .post(`${WEBHOOKS}/${hook.id}/deliveries/999999999/retry`)
        .set(asAdmin)
        .expect(404);

      receiver.answer = () => ({ status: 200 });
      const retried = await t
        .http()
        .post(`${WEBHOOKS}/${hook.id}/deliveries/${doomed.id}/retry`)
        .set(asAdmin)
        .expect(202);
      expect(retried.body.data).toMatchObject({ id: doomed.id, status: 'pending' });
      const after = await eventually(
        () => deliveries(hook.id, '?status=succeeded'),
        (response) => response.body.data.length === 2,
      );
      expect(after.body.data[1].attempts.map((a: ReceivedAttempt) => a.outcome)).toEqual([
        'failed',
        'failed',
        'failed',
        'succeeded',
      ]);
    });

    it('disables an endpoint failing for 3 days; a retry by hand enables it again', async () => {
      LOG_GUARD.expect(/Webhook endpoint \d+ disabled: failing for 3 days/);
      const hook = await endpoint(['membership.updated']);
      const endpoints = t.dataSource.getRepository(WebhookEndpointEntity);
      receiver.answer = () => ({ status: 500 });
      await rename(team.plain.userId, 'Failing');
      await eventually(
        () => endpoints.findOneByOrFail({ id: hook.id }),
        (row) => row.failingSince !== null,
      );
      // Three days have passed since the first failure.
      await endpoints.update(
        { id: hook.id },
        { failingSince: new Date(Date.now() - 3 * 24 * 3600 * 1000 - 60_000) },
      );
      const disabled = await eventually(
        () => t.http().get(WEBHOOKS).set(asAdmin).expect(200),
        (response) => response.body.data[0].enabled === false,
      );
      expect(disabled.body.data[0].disabledAt).toEqual(expect.any(String));
      const [failed] = (await deliveries(hook.id)).body.data;
      expect(failed.status).toBe('failed');

      const countBefore = at(hook.path).length;
      await rename(team.plain.userId, 'Unheard');
      await sleep(500);
      expect(at(hook.path)).toHaveLength(countBefore);

      receiver.answer = () => ({ status: 200 });
      await t
        .http()
        .post(`${WEBHOOKS}/${hook.id}/deliveries/${failed.id}/retry`)
        .set(asAdmin)
        .expect(202);
      await eventually(
        () => deliveries(hook.id),
        (response) => response.body.data[0].status === 'succeeded',
      );
      const enabled = (await t.http().get(WEBHOOKS).set(asAdmin).expect(200)).body.data[0];
      expect(enabled).toMatchObject({ enabled: true, disabledAt: null, failingSince: null });
    });

    it('rotates the secret: both signatures for a day, so either verifies', async () => {
      const hook = await endpoint(['membership.updated']);
      const rotated = await t
        .http()
        .post(`${WEBHOOKS}/${hook.id}/rotate-secret`)
        .set(asAdmin)
        .expect(200);
      const secret = rotated.body.data.secret as string;
      expect(secret).not.toBe(hook.secret);
      await rename(team.plain.userId, 'Rotated');
      await receiver.waitFor(() => at(hook.path).length === 1);
      const [delivery] = at(hook.path);
      expect(delivery.headers['webhook-signature'].split(' ')).toHaveLength(2);
      expect(verifyDelivery(secret, delivery)).toEqual(delivery.json);
      expect(verifyDelivery(hook.secret, delivery)).toEqual(delivery.json);
    });

    it('deletes an endpoint with its deliveries; nothing more is sent to it', async () => {
      const hook = await endpoint(['membership.updated']);
      await rename(team.plain.userId, 'Once');
      await receiver.waitFor(() => at(hook.path).length === 1);
      await t.http().delete(`${WEBHOOKS}/${hook.id}`).set(asAdmin).expect(204);
      await t.http().get(`${WEBHOOKS}/${hook.id}/deliveries`).set(asAdmin).expect(404);
      await rename(team.plain.userId, 'Twice');
      await sleep(400);
      expect(at(hook.path)).toHaveLength(1);
    });
  });

  describe('the HTTP exchange', () => {
    it('connects to the address checked, not to a second lookup, and names the host', async () => {
      // A name the operating system cannot resolve: only the app's resolver knows it.
      const host = `pinned-${engine}.test`;
      const resolver = t.app.get(HostResolver);
      const resolve = jest
        .spyOn(resolver, 'resolve')
        .mockImplementation((name) =>
          Promise.resolve(name === host ? [{ address: '127.0.0.1', family: 4 as const }] : []),
        );
      try {
        const path = `/hook/${randomUUID()}`;
        await register(asAdmin, {
          url: `http://${host}:${receiver.port}${path}`,
          events: ['membership.updated'],
        }).expect(201);
        await rename(team.plain.userId, 'Pinned');
        await receiver.waitFor(() => at(path).length === 1);
        expect(at(path)[0].headers.host).toBe(`${host}:${receiver.port}`);
        expect(resolve).toHaveBeenCalledWith(host);
      } finally {
        resolve.mockRestore();
      }
    });

    it('does not follow redirects', async () => {
      const target = new WebhookReceiver();
      await target.start();
      try {
        const hook = await endpoint(['membership.updated']);
        receiver.answer = () => ({ status: 302, headers: { location: target.url('/stolen') } });
        await rename(team.plain.userId, 'Redirected');
        const listed = await eventually(
          () => deliveries(hook.id),
          (response) => response.body.data[0]?.attempts.length >= 1,
        );
        expect(listed.body.data[0].attempts[0]).toMatchObject({
          outcome: 'failed',
          responseStatus: 302,
          // Not where to: the location a private receiver names is not the administrator's to see.
          error: 'Redirect not followed',
        });
        await sleep(300);
        expect(target.received).toHaveLength(0);
      } finally {
        await target.close();
      }
    });

    it('gives up on a receiver that does not answer within WEBHOOK_TIMEOUT_MS', async () => {
      const hook = await endpoint(['membership.updated']);
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      receiver.answer = () => ({ hold: held });
      try {
        await rename(team.plain.userId, 'Slow');
        const listed = await eventually(
          () => deliveries(hook.id),
          (response) => response.body.data[0]?.attempts.length >= 1,
        );
        const [attempt] = listed.body.data[0].attempts;
        expect(attempt).toMatchObject({ outcome: 'failed', error: 'No answer within 1500 ms' });
        expect(attempt.durationMs).toBeGreaterThanOrEqual(1400);
      } finally {
        release();
      }
    });

    it('reads at most 4 KB of an answer, and shows none of a private receiver’s', async () => {
      const hook = await endpoint(['membership.updated']);
      receiver.answer = () => ({ status: 200, body: 'x'.repeat(1024 * 1024) });
      await rename(team.plain.userId, 'Chatty');
      const listed = await eventually(
        () => deliveries(hook.id),
        (response) => response.body.data[0]?.status === 'succeeded',
      );
      expect(listed.body.data[0].attempts[0]).toMatchObject({
        outcome: 'succeeded',
        responseStatus: 200,
        responseBody: null,
      });
    });
  });
});

interface ReceivedAttempt {
  outcome: string;
  responseStatus: number | null;
  responseBody: string | null;
}

export type { ReceivedDelivery };
