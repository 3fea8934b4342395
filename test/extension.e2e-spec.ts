import type { Test } from 'supertest';
import { MembershipChangedEvent } from '../src/users-organizations/membership-events';
import { newRequestId, storedAuditEvents } from './support/audit-trail';
import { ENGINES } from './support/databases';
import { membershipRow } from './support/factories';
import { acceptByToken, invite, issued, verifiedBearer } from './support/invitations';
import {
  EXTENSION_ROUTE,
  InvitationMailer,
  ExtensionModule,
  FailingListener,
  MembershipEventRecorder,
  ReceivedEvent,
  TransactionWatcher,
} from './support/extension.module';
import { createTeam, Team } from './support/organization';
import { NO_RATE_LIMITS, startTestApp, TestApp } from './support/test-app';
import { sessionToken } from './support/tokens';
import { DENIALS, LOG_GUARD } from './support/log-guard';

// This file's requests are refused on purpose: the denials' log lines are expected.
LOG_GUARD.allowInFile(DENIALS);

const USERS = '/users-organizations/v1/rs/users';

type Headers = Record<string, string>;

describe.each(ENGINES)('a module of another team on %s', (engine) => {
  let t: TestApp;
  let recorder: MembershipEventRecorder;
  let watcher: TransactionWatcher;
  let team: Team;
  let asAdmin: Headers;
  let asPlain: Headers;

  beforeAll(async () => {
    t = await startTestApp(engine, { env: NO_RATE_LIMITS, extraModules: [ExtensionModule] });
    recorder = t.app.get(MembershipEventRecorder);
    watcher = t.app.get(TransactionWatcher);
  });
  afterAll(() => t.close());

  beforeEach(async () => {
    team = await createTeam(t);
    asAdmin = await t.login(team.admin.subject, team.organizationId);
    asPlain = await t.login(team.plain.subject, team.organizationId);
    recorder.clear();
  });

  const whoami = (headers: Headers) => t.http().get(`${EXTENSION_ROUTE}/whoami`).set(headers);
  const adminRoute = (headers: Headers) => t.http().get(`${EXTENSION_ROUTE}/admin`).set(headers);
  const patch = (userId: number | string, headers: Headers, body: object) =>
    t.http().patch(`${USERS}/${userId}`).set(headers).send(body);

  /** Sends a change with its own request id; expects exactly one event, returned. */
  async function changeWithOneEvent(send: () => Test, status: number) {
    const requestId = newRequestId();
    const commitsBefore = watcher.commits;
    const response = await send().set('X-Request-Id', requestId);
    expect(response.status).toBe(status);
    expect(recorder.received).toHaveLength(1);
    const [received] = recorder.received;
    expect(received.event).toBeInstanceOf(MembershipChangedEvent);
    expect(received.event.requestId).toBe(requestId);
    expectPublishedAfterCommit(received, commitsBefore);
    return { response, received, requestId };
  }

  /** The change's transaction had committed, and no other was open, when the listener ran. */
  function expectPublishedAfterCommit(received: ReceivedEvent, commitsBefore: number) {
    expect(received.commits).toBeGreaterThan(commitsBefore);
    expect(received.openTransactions).toBe(0);
  }

  describe('@Authenticated() and @CurrentAuth() on its own controller', () => {
    it('needs both tokens (401 without either)', async () => {
      const none = await t.http().get(`${EXTENSION_ROUTE}/whoami`).expect(401);
      expect(none.body.code).toBe('TOKEN_MISSING');
      const bearerOnly = await whoami({ Authorization: asPlain.Authorization }).expect(401);
      expect(bearerOnly.body.code).toBe('SESSION_TOKEN_MISSING');
      const sessionOnly = await whoami({
        'x-session-token': asPlain['x-session-token'],
      }).expect(401);
      expect(sessionOnly.body.code).toBe('TOKEN_MISSING');
      // A forged session token and a mismatched pair are refused as on the users API.
      await whoami({
        Authorization: asPlain.Authorization,
        'x-session-token': sessionToken({ userId: team.plain.userId, sessionId: 'forged' }),
      }).expect(401);
      await whoami({
        Authorization: asAdmin.Authorization,
        'x-session-token': asPlain['x-session-token'],
      }).expect(401);
    });

    it("returns the caller's user, organization and scope", async () => {
      const requestId = newRequestId();
      const member = await whoami(asPlain).set('X-Request-Id', requestId).expect(200);
      expect(member.body.data).toEqual({
        userId: team.plain.userId,
        subject: team.plain.subject,
        organizationId: team.organizationId,
        scope: 2,
        requestId,
      });
      const admin = await whoami(asAdmin).expect(200);
      expect(admin.body.data).toMatchObject({
        userId: team.admin.userId,
        organizationId: team.organizationId,
        scope: 1,
      });
      // The same user in another organization acts in that one.
      const asDave = await t.login('dave', 2);
      expect((await whoami(asDave).expect(200)).body.data).toMatchObject({
        userId: 4,
        organizationId: 2,
        scope: 1,
      });
    });

    it('refuses members on an administrator route (403), from the very next request', async () => {
      const refused = await adminRoute(asPlain).expect(403);
      expect(refused.body.code).toBe('ADMIN_REQUIRED');
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      const allowed = await adminRoute(asAdmin).expect(200);
      expect(allowed.body.data).toEqual({
        administrator: team.admin.userId,
        organizationId: team.organizationId,
      });
      await patch(team.plain.userId, asAdmin, { scope: 1 }).expect(200);
      await adminRoute(asPlain).expect(200);
      await patch(team.plain.userId, asAdmin, { scope: 2 }).expect(200);
      await adminRoute(asPlain).expect(403);
    });

    it('refuses a revoked session and a removed member at once', async () => {
      await t.http().delete('/users-organizations/v1/rs/sessions/current').set(asPlain).expect(204);
      await whoami(asPlain).expect(401);
      const asReader = await t.login(team.reader.subject, team.organizationId);
      await whoami(asReader).expect(200);
      await t.http().delete(`${USERS}/${team.reader.userId}`).set(asAdmin).expect(204);
      await whoami(asReader).expect(401);
    });
  });

  describe('membership events', () => {
    it('publishes membership.updated once, after the commit, with the whole payload', async () => {
      const { response, received, requestId } = await changeWithOneEvent(
        () => patch(team.plain.userId, asAdmin, { firstName: 'Pauline', professionId: 3 }),
        200,
      );
      const { event } = received;
      expect(event.name).toBe('membership.updated');
      expect(event).toMatchObject({
        organizationId: team.organizationId,
        userId: team.plain.userId,
        actorUserId: team.admin.userId,
        requestId,
      });
      expect(event.membership).toEqual(response.body.data);
      expect(event.changes).toEqual({
        firstName: { before: 'Paul', after: 'Pauline' },
        professionId: { before: null, after: 3 },
      });
      // The listener's own read, made when the event arrived, already shows the change.
      const stored = await received.stored;
      expect(stored).toMatchObject({ firstName: 'Pauline', professionId: 3, version: 2 });
      // The same change is in the audit trail, with the same request id.
      const [audited] = await storedAuditEvents(t.dataSource, { requestId });
      expect(audited.changes).toEqual(event.changes);
    });

    it('publishes membership.created for an accepted invitation', async () => {
      const invitation = await invite(t, asAdmin, {
        email: 'dave.joins@example.com',
        firstName: 'Dave',
        lastName: 'M',
      }).expect(201);
      recorder.clear();
      const bearer = verifiedBearer('dave-joins', 'dave.joins@example.com');
      const { response, received } = await changeWithOneEvent(
        () => acceptByToken(t, bearer, issued(invitation).token),
        201,
      );
      const { event } = received;
      const newcomer = response.body.data.userId as number;
      expect(event.name).toBe('membership.created');
      expect(event).toMatchObject({
        organizationId: team.organizationId,
        userId: newcomer,
        actorUserId: newcomer,
      });
      expect(event.membership).toEqual(response.body.data);
      expect(event.changes).toMatchObject({
        firstName: { before: null, after: 'Dave' },
        lastName: { before: null, after: 'M' },
        scope: { before: null, after: 2 },
      });
      expect(await received.stored).toMatchObject({ firstName: 'Dave', deletedAt: null });
    });

    it('hands a mailer the token of a new or resent invitation, in process only', async () => {
      const mailer = t.app.get(InvitationMailer);
      mailer.sent.length = 0;
      const created = await invite(t, asAdmin, { email: 'Mail.Me@Example.com' }).expect(201);
      const resent = await t
        .http()
        .post(`/users-organizations/v1/rs/invitations/${issued(created).id}/resend`)
        .set(asAdmin)
        .set('content-type', 'application/json')
        .expect(200);
      expect(mailer.sent.map((event) => [event.name, event.delivery])).toEqual([
        [
          'invitation.created',
          { email: 'Mail.Me@Example.com', token: issued(created).token, acceptUrl: null },
        ],
        [
          'invitation.resent',
          { email: 'Mail.Me@Example.com', token: issued(resent).token, acceptUrl: null },
        ],
      ]);
      expect(mailer.sent[0].invitation).toMatchObject({
        id: issued(created).id,
        organizationId: team.organizationId,
        status: 'pending',
      });
      // The audit trail never holds a token.
      const audited = await storedAuditEvents(t.dataSource, {
        organizationId: team.organizationId,
      });
      for (const event of [created, resent]) {
        expect(JSON.stringify(audited)).not.toContain(issued(event).token);
      }
    });

    it('publishes membership.deleted for a removal, with deletedAt set', async () => {
      const { received } = await changeWithOneEvent(
        () => t.http().delete(`${USERS}/${team.plain.userId}`).set(asAdmin),
        204,
      );
      const { event } = received;
      expect(event.name).toBe('membership.deleted');
      expect(event).toMatchObject({
        organizationId: team.organizationId,
        userId: team.plain.userId,
        actorUserId: team.admin.userId,
      });
      const stored = await membershipRow(t.dataSource, team.plain.userId, team.organizationId);
      const deletedAt = (stored.deletedAt as Date).toISOString();
      expect(event.membership).toMatchObject({ userId: team.plain.userId, deletedAt });
      expect(event.changes).toEqual({ deletedAt: { before: null, after: deletedAt } });
      expect((await received.stored)?.deletedAt).toBeInstanceOf(Date);
    });

    it('publishes membership.deleted with the member as actor when it leaves', async () => {
      const { received } = await changeWithOneEvent(
        () => t.http().delete(`${USERS}/me`).set(asPlain),
        204,
      );
      expect(received.event).toMatchObject({
        name: 'membership.deleted',
        userId: team.plain.userId,
        actorUserId: team.plain.userId,
      });
    });

    it('publishes membership.restored for a restore, with deletedAt null', async () => {
      await t.http().delete(`${USERS}/${team.plain.userId}`).set(asAdmin).expect(204);
      recorder.clear();
      const requestId = newRequestId();
      const commitsBefore = watcher.commits;
      const response = await t
        .http()
        .post(`${USERS}/${team.plain.userId}/restore`)
        .set(asAdmin)
        .set('content-type', 'application/json')
        .set('X-Request-Id', requestId);
      // The exact status (200) is pinned by the members suite; this test is about the event.
      expect(response.status).toBeGreaterThanOrEqual(200);
      expect(response.status).toBeLessThan(300);
      expect(recorder.received).toHaveLength(1);
      const [received] = recorder.received;
      expectPublishedAfterCommit(received, commitsBefore);
      expect(received.event).toMatchObject({
        name: 'membership.restored',
        organizationId: team.organizationId,
        userId: team.plain.userId,
        actorUserId: team.admin.userId,
        requestId,
      });
      expect(received.event.membership).toEqual(response.body.data);
      expect(received.event.membership.deletedAt).toBeNull();
      expect(received.event.changes).toEqual({
        deletedAt: { before: expect.stringMatching(/Z$/), after: null },
      });
      expect((await received.stored)?.deletedAt).toBeNull();
    });

    it.each([
      ['a refused PATCH (403)', 403, () => patch('me', asPlain, { scope: 1 })],
      [
        'a refused removal (403)',
        403,
        () => t.http().delete(`${USERS}/${team.reader.userId}`).set(asPlain),
      ],
      [
        'a refused invitation (403)',
        403,
        () => invite(t, asPlain, { email: 'not.allowed@example.com' }),
      ],
      [
        'the last administrator leaving (409)',
        409,
        () => t.http().delete(`${USERS}/me`).set(asAdmin),
      ],
      ['the last administrator demoted (409)', 409, () => patch('me', asAdmin, { scope: 2 })],
      [
        'a stale If-Match (412)',
        412,
        () => patch('me', asPlain, { firstName: 'X' }).set('If-Match', '"m1.v999"'),
      ],
      ['an unknown profession (422)', 422, () => patch('me', asPlain, { professionId: 999999 })],
      [
        'an invitation with an unknown group (422)',
        422,
        () =>
          invite(t, asAdmin, {
            email: 'not.published@example.com',
            permissions: { group: 999999, read: [], manage: [] },
          }),
      ],
      ['a no-op PATCH (200)', 200, () => patch('me', asPlain, { firstName: 'Paul' })],
      ['an invalid PATCH (400)', 400, () => patch('me', asPlain, { firstName: null })],
    ] as [string, number, () => Test][])(
      'publishes nothing for %s',
      async (_label, status, send) => {
        const before = await membershipRow(t.dataSource, team.plain.userId, team.organizationId);
        const response = await send();
        expect(response.status).toBe(status);
        expect(recorder.received).toEqual([]);
        expect(await membershipRow(t.dataSource, team.plain.userId, team.organizationId)).toEqual(
          before,
        );
      },
    );

    it('keeps a change whose listener fails: 200, committed, published to the others', async () => {
      LOG_GUARD.expect(/A listener of another module failed/);
      const response = await patch('me', asPlain, { firstName: FailingListener.TRIGGER }).expect(
        200,
      );
      expect(response.body.data.firstName).toBe(FailingListener.TRIGGER);
      const stored = await membershipRow(t.dataSource, team.plain.userId, team.organizationId);
      expect(stored.firstName).toBe(FailingListener.TRIGGER);
      expect(recorder.received.map((received: ReceivedEvent) => received.event.name)).toEqual([
        'membership.updated',
      ]);
      await t.http().get(`${USERS}/me`).set(asPlain).expect(200);
    });

    it('publishes one event per change, in order, for a sequence of changes', async () => {
      await patch(team.plain.userId, asAdmin, { lastName: 'One' }).expect(200);
      await patch(team.plain.userId, asAdmin, { lastName: 'One' }).expect(200); // no-op
      await patch(team.plain.userId, asAdmin, { lastName: 'Two' }).expect(200);
      await t.http().delete(`${USERS}/${team.plain.userId}`).set(asAdmin).expect(204);
      expect(
        recorder.received.map(({ event }) => [event.name, event.changes.lastName?.after ?? null]),
      ).toEqual([
        ['membership.updated', 'One'],
        ['membership.updated', 'Two'],
        ['membership.deleted', null],
      ]);
    });
  });
});
