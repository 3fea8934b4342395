import type { Response, Test } from 'supertest';
import type { AuditEventEntity } from '../src/audit/entities/audit-event.entity';
import { SessionEntity } from '../src/auth/entities/session.entity';
import { countAuditEvents, newRequestId, storedAuditEvents } from './support/audit-trail';
import { ENGINES } from './support/databases';
import { membershipRow } from './support/factories';
import { acceptByToken, INVITATIONS, invite, issued, verifiedBearer } from './support/invitations';
import { teamWithSessions, Team } from './support/organization';
import { NO_RATE_LIMITS, startTestApp, TestApp } from './support/test-app';
import { bearerToken } from './support/tokens';
import { DENIALS, LOG_GUARD } from './support/log-guard';

// This file's requests are refused on purpose: the denials' log lines are expected.
LOG_GUARD.allowInFile(DENIALS);

const USERS = '/users-organizations/v1/rs/users';
const SESSIONS = '/users-organizations/v1/rs/sessions';
const AUDIT = '/users-organizations/v1/rs/audit-events';
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

type Headers = Record<string, string>;

interface EventView {
  id: number;
  organizationId: number;
  actorUserId: number | null;
  targetUserId: number | null;
  invitationId: number | null;
  action: string;
  changes: Record<string, { before: unknown; after: unknown }>;
  requestId: string | null;
  createdAt: string;
}

const events = (response: Response) => response.body.data as EventView[];

describe.each(ENGINES)('audit trail on %s', (engine) => {
  let t: TestApp;
  let team: Team;
  let asAdmin: Headers;
  let asManager: Headers;
  let asReader: Headers;
  let asPlain: Headers;

  beforeAll(async () => {
    t = await startTestApp(engine, { env: NO_RATE_LIMITS });
  });
  afterAll(() => t.close());

  beforeEach(async () => {
    ({
      team,
      admin: asAdmin,
      manager: asManager,
      reader: asReader,
      plain: asPlain,
    } = await teamWithSessions(t));
  });

  const patch = (userId: number | string, headers: Headers, body: object) =>
    t.http().patch(`${USERS}/${userId}`).set(headers).send(body);
  const auditList = (headers: Headers, query: Record<string, string | number> = {}) =>
    t.http().get(AUDIT).query(query).set(headers);

  /** Sends the request with a request id of its own; returns the response and its one event. */
  async function withOneEvent(send: () => Test, status: number | '2xx') {
    const requestId = newRequestId();
    const response = await send().set('X-Request-Id', requestId);
    if (status === '2xx') expect(response.status).toBeGreaterThanOrEqual(200);
    if (status === '2xx') expect(response.status).toBeLessThan(300);
    else expect(response.status).toBe(status);
    expect(response.headers['x-request-id']).toBe(requestId);
    const stored = await storedAuditEvents(t.dataSource, { requestId });
    expect(stored).toHaveLength(1);
    return { response, event: stored[0], requestId };
  }

  /** The event as the API shows it to the organization's administrator. */
  async function viewOf(event: AuditEventEntity): Promise<EventView | undefined> {
    const response = await auditList(asAdmin, { limit: 100 }).expect(200);
    return events(response).find((view) => view.id === Number(event.id));
  }

  describe('one event per change', () => {
    it('records a PATCH: actor, target, organization, only the changed fields, request id', async () => {
      const { response, event, requestId } = await withOneEvent(
        () =>
          patch(team.plain.userId, asManager, {
            firstName: 'Paul', // unchanged: not listed
            lastName: 'Managed',
            professionId: 2,
          }),
        200,
      );
      expect(event).toMatchObject({
        organizationId: team.organizationId,
        actorUserId: team.manager.userId,
        targetUserId: team.plain.userId,
        action: 'membership.updated',
        requestId,
      });
      expect(event.changes).toEqual({
        lastName: { before: 'Plain', after: 'Managed' },
        professionId: { before: null, after: 2 },
      });
      expect(event.createdAt.toISOString()).toBe(response.body.data.updatedAt);

      const view = await viewOf(event);
      expect(view).toEqual({
        id: Number(event.id),
        organizationId: team.organizationId,
        actorUserId: team.manager.userId,
        actorClientId: null,
        targetUserId: team.plain.userId,
        invitationId: null,
        action: 'membership.updated',
        changes: event.changes,
        requestId,
        createdAt: response.body.data.updatedAt,
      });
    });

    it('records scope and permissions changes, permissions as whole objects', async () => {
      const { day, night } = team.groups;
      const { event } = await withOneEvent(
        () =>
          patch(team.plain.userId, asAdmin, {
            scope: 1,
            permissions: { group: night, read: [night, day], manage: [night] },
          }),
        200,
      );
      expect(event.actorUserId).toBe(team.admin.userId);
      expect(event.changes).toEqual({
        scope: { before: 2, after: 1 },
        permissions: {
          before: { group: day, read: [], manage: [] },
          after: { group: night, read: [day, night].sort((a, b) => a - b), manage: [night] },
        },
      });
    });

    it('writes nothing for a no-op PATCH', async () => {
      const before = await countAuditEvents(t.dataSource, team.organizationId);
      const requestId = newRequestId();
      await patch('me', asPlain, { firstName: 'Paul', lastName: 'Plain' })
        .set('X-Request-Id', requestId)
        .expect(200);
      const { day } = team.groups;
      await patch(team.plain.userId, asAdmin, {
        scope: 2,
        permissions: { group: day, read: [], manage: [] },
      })
        .set('X-Request-Id', requestId)
        .expect(200);
      expect(await storedAuditEvents(t.dataSource, { requestId })).toEqual([]);
      expect(await countAuditEvents(t.dataSource, team.organizationId)).toBe(before);
    });

    it('records an invitation, then its acceptance and the membership it created', async () => {
      const { day } = team.groups;
      const invited = await withOneEvent(
        () =>
          invite(t, asAdmin, {
            email: 'Dave.New@Example.com',
            firstName: 'Dave',
            lastName: 'Moreau',
            professionId: 3,
            permissions: { group: day, read: [day], manage: [] },
          }),
        201,
      );
      const invitationId = issued(invited.response).id;
      expect(invited.event).toMatchObject({
        organizationId: team.organizationId,
        actorUserId: team.admin.userId,
        targetUserId: null,
        invitationId,
        action: 'invitation.created',
        requestId: invited.requestId,
      });
      expect(invited.event.changes).toMatchObject({
        email: { before: null, after: 'Dave.New@Example.com' },
        scope: { before: null, after: 2 },
      });
      // The token is never stored, logged or audited.
      expect(JSON.stringify(invited.event)).not.toContain(issued(invited.response).token);

      const requestId = newRequestId();
      const accepted = await acceptByToken(
        t,
        verifiedBearer('dave-new', 'dave.new@example.com'),
        issued(invited.response).token,
      )
        .set('X-Request-Id', requestId)
        .expect(201);
      const newcomer = accepted.body.data.userId as number;
      const stored = await storedAuditEvents(t.dataSource, { requestId });
      expect(stored.map((event) => event.action)).toEqual([
        'invitation.accepted',
        'membership.created',
      ]);
      expect(stored[0]).toMatchObject({
        actorUserId: newcomer,
        targetUserId: newcomer,
        invitationId,
      });
      expect(stored[1]).toMatchObject({
        organizationId: team.organizationId,
        actorUserId: newcomer,
        targetUserId: newcomer,
        invitationId: null,
        action: 'membership.created',
      });
      expect(stored[1].changes).toEqual({
        firstName: { before: null, after: 'Dave' },
        lastName: { before: null, after: 'Moreau' },
        professionId: { before: null, after: 3 },
        scope: { before: null, after: 2 },
        permissions: { before: null, after: { group: day, read: [day], manage: [] } },
      });
      expect(stored[1].createdAt.toISOString()).toBe(accepted.body.data.createdAt);
      // Nothing is written to organization 2's trail.
      expect(await storedAuditEvents(t.dataSource, { organizationId: 2, requestId })).toEqual([]);
    });

    it('records a removal (membership.deleted) once, not once per revoked session', async () => {
      await t.login(team.plain.subject, team.organizationId); // a second live session
      const { event, requestId } = await withOneEvent(
        () => t.http().delete(`${USERS}/${team.plain.userId}`).set(asAdmin),
        204,
      );
      const stored = await membershipRow(t.dataSource, team.plain.userId, team.organizationId);
      expect(event).toMatchObject({
        organizationId: team.organizationId,
        actorUserId: team.admin.userId,
        targetUserId: team.plain.userId,
        action: 'membership.deleted',
        requestId,
      });
      expect(event.changes).toEqual({
        deletedAt: { before: null, after: (stored.deletedAt as Date).toISOString() },
      });
    });

    it('records a member leaving with itself as actor and target', async () => {
      const { event } = await withOneEvent(() => t.http().delete(`${USERS}/me`).set(asReader), 204);
      expect(event).toMatchObject({
        actorUserId: team.reader.userId,
        targetUserId: team.reader.userId,
        action: 'membership.deleted',
      });
    });

    it('records a restore (membership.restored)', async () => {
      await t.http().delete(`${USERS}/${team.plain.userId}`).set(asAdmin).expect(204);
      const removed = await membershipRow(t.dataSource, team.plain.userId, team.organizationId);
      const { response, event, requestId } = await withOneEvent(
        () =>
          t
            .http()
            .post(`${USERS}/${team.plain.userId}/restore`)
            .set(asAdmin)
            .set('content-type', 'application/json'),
        // The exact status (200) is pinned by the members suite; this test is about the event.
        '2xx',
      );
      expect(event).toMatchObject({
        organizationId: team.organizationId,
        actorUserId: team.admin.userId,
        targetUserId: team.plain.userId,
        action: 'membership.restored',
        requestId,
      });
      expect(event.changes).toEqual({
        deletedAt: { before: (removed.deletedAt as Date).toISOString(), after: null },
      });
      expect(event.createdAt.toISOString()).toBe(response.body.data.updatedAt);
    });

    it('records a session opening (session.opened)', async () => {
      const { response, event, requestId } = await withOneEvent(
        () =>
          t
            .http()
            .post(SESSIONS)
            .set('Authorization', `Bearer ${bearerToken(team.reader.subject)}`)
            .send({ organizationId: team.organizationId }),
        201,
      );
      expect(event).toMatchObject({
        organizationId: team.organizationId,
        actorUserId: team.reader.userId,
        targetUserId: team.reader.userId,
        action: 'session.opened',
        requestId,
      });
      expect(event.changes).toEqual({
        expiresAt: { before: null, after: response.body.data.expiresAt },
      });
    });

    it('records a session revocation (session.revoked), and a second revocation is refused', async () => {
      const { event, requestId } = await withOneEvent(
        () => t.http().delete(`${SESSIONS}/current`).set(asReader),
        204,
      );
      expect(event).toMatchObject({
        organizationId: team.organizationId,
        actorUserId: team.reader.userId,
        targetUserId: team.reader.userId,
        action: 'session.revoked',
        requestId,
      });
      const revoked = await t.dataSource
        .getRepository(SessionEntity)
        .findBy({ userId: team.reader.userId, organizationId: team.organizationId });
      const revokedAt = revoked
        .map((session) => session.revokedAt)
        .filter((date): date is Date => date !== null)
        .map((date) => date.toISOString());
      expect(event.changes).toEqual({ revokedAt: { before: null, after: expect.any(String) } });
      expect(revokedAt).toContain(event.changes.revokedAt.after);

      const before = await countAuditEvents(t.dataSource, team.organizationId);
      await t.http().delete(`${SESSIONS}/current`).set(asReader).expect(401);
      expect(await countAuditEvents(t.dataSource, team.organizationId)).toBe(before);
    });

    it('stores the request id the response carries when the one sent is not acceptable', async () => {
      const response = await patch('me', asPlain, { firstName: 'Bad id' })
        .set('X-Request-Id', 'has spaces in it')
        .expect(200);
      const issued: string = response.headers['x-request-id'];
      expect(issued).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      const stored = await storedAuditEvents(t.dataSource, { requestId: issued });
      expect(stored).toHaveLength(1);
      expect(stored[0].targetUserId).toBe(team.plain.userId);
    });
  });

  describe('nothing recorded for a refused or failed change', () => {
    type Case = [string, number, string, () => Test];
    const cases: Case[] = [
      [
        'a member raising its scope',
        403,
        'SCOPE_CHANGE_FORBIDDEN',
        () => patch('me', asPlain, { scope: 1 }),
      ],
      [
        'a profile change outside managed groups',
        403,
        'PROFILE_CHANGE_FORBIDDEN',
        () => patch(team.manager.userId, asReader, { firstName: 'X' }),
      ],
      [
        'a member removing another',
        403,
        'ADMIN_REQUIRED',
        () => t.http().delete(`${USERS}/${team.reader.userId}`).set(asPlain),
      ],
      [
        'a member inviting someone',
        403,
        'ADMIN_REQUIRED',
        () => invite(t, asPlain, { email: 'someone@example.com' }),
      ],
      [
        'a member restoring',
        403,
        'ADMIN_REQUIRED',
        () =>
          t.http().post(`${USERS}/5/restore`).set(asPlain).set('content-type', 'application/json'),
      ],
      [
        'a PATCH of organization 2',
        404,
        'MEMBERSHIP_NOT_FOUND',
        () => patch(4, asAdmin, { firstName: 'X' }),
      ],
      [
        'a removal of an unknown id',
        404,
        'MEMBERSHIP_NOT_FOUND',
        () => t.http().delete(`${USERS}/987654321`).set(asAdmin),
      ],
      [
        'the last administrator leaving',
        409,
        'LAST_ADMIN',
        () => t.http().delete(`${USERS}/me`).set(asAdmin),
      ],
      [
        'the last administrator demoted',
        409,
        'LAST_ADMIN',
        () => patch('me', asAdmin, { scope: 2 }),
      ],
      [
        'inviting an active member',
        409,
        'ALREADY_MEMBER',
        () => invite(t, asAdmin, { email: `${team.plain.subject}@example.com` }),
      ],
      [
        'restoring an active member',
        409,
        'MEMBERSHIP_ACTIVE',
        () =>
          t
            .http()
            .post(`${USERS}/${team.plain.userId}/restore`)
            .set(asAdmin)
            .set('content-type', 'application/json'),
      ],
      [
        'a stale If-Match',
        412,
        'PRECONDITION_FAILED',
        () => patch('me', asPlain, { firstName: 'X' }).set('If-Match', '"m1.v999"'),
      ],
      [
        'an unknown profession',
        422,
        'PROFESSION_NOT_FOUND',
        () => patch('me', asPlain, { professionId: 999999 }),
      ],
      [
        'a group of another organization',
        422,
        'GROUP_NOT_FOUND',
        () =>
          patch(team.plain.userId, asAdmin, { permissions: { group: 3, read: [], manage: [] } }),
      ],
      [
        'an invitation with an unknown group',
        422,
        'GROUP_NOT_FOUND',
        () =>
          invite(t, asAdmin, {
            email: 'nobody.new@example.com',
            permissions: { group: 999999, read: [], manage: [] },
          }),
      ],
      [
        'accepting with a wrong token',
        404,
        'INVITATION_TOKEN_INVALID',
        () =>
          acceptByToken(
            t,
            verifiedBearer(team.plain.subject, 'x@example.com'),
            `1.${'A'.repeat(43)}`,
          ),
      ],
      [
        'a string scope',
        400,
        'VALIDATION_FAILED',
        () => patch(team.plain.userId, asAdmin, { scope: '1' }),
      ],
      ['an empty PATCH', 400, 'EMPTY_UPDATE', () => patch('me', asPlain, {})],
      [
        'an invitation without email',
        400,
        'VALIDATION_FAILED',
        () =>
          t.http().post(INVITATIONS).set(asAdmin).send({ scope: 2, firstName: 'X', lastName: 'Y' }),
      ],
      ['a bad user id', 400, 'INVALID_USER_ID', () => t.http().delete(`${USERS}/abc`).set(asAdmin)],
      [
        'a PATCH without session token',
        401,
        'SESSION_TOKEN_MISSING',
        () => patch('me', { Authorization: asPlain.Authorization }, { firstName: 'X' }),
      ],
    ];

    it.each(cases)('%s (%d %s)', async (_label, status, code, send) => {
      const before = await countAuditEvents(t.dataSource, team.organizationId);
      const beforeLyon = await countAuditEvents(t.dataSource, 2);
      const requestId = newRequestId();
      const response = await send().set('X-Request-Id', requestId);
      expect({ status: response.status, code: response.body.code }).toEqual({ status, code });
      expect(await storedAuditEvents(t.dataSource, { requestId })).toEqual([]);
      expect(await countAuditEvents(t.dataSource, team.organizationId)).toBe(before);
      expect(await countAuditEvents(t.dataSource, 2)).toBe(beforeLyon);
    });

    it('records no session.opened for a refused session opening (403)', async () => {
      const requestId = newRequestId();
      const before = await countAuditEvents(t.dataSource, 2);
      const response = await t
        .http()
        .post(SESSIONS)
        .set('Authorization', `Bearer ${bearerToken(team.plain.subject)}`)
        .set('X-Request-Id', requestId)
        .send({ organizationId: 2 })
        .expect(403);
      expect(response.body.code).toBe('NOT_A_MEMBER');
      expect(await storedAuditEvents(t.dataSource, { requestId })).toEqual([]);
      expect(await countAuditEvents(t.dataSource, 2)).toBe(before);
    });
  });

  describe('GET /audit-events', () => {
    it('is for administrators only', async () => {
      for (const headers of [asManager, asReader, asPlain]) {
        const response = await auditList(headers).expect(403);
        expect(response.body.code).toBe('ADMIN_REQUIRED');
      }
      await t.http().get(AUDIT).expect(401);
      await t.http().get(AUDIT).set('Authorization', asAdmin.Authorization).expect(401);
    });

    it('lists newest first, with the full event shape', async () => {
      await patch(team.plain.userId, asAdmin, { firstName: 'One' }).expect(200);
      await patch(team.reader.userId, asAdmin, { firstName: 'Two' }).expect(200);
      await t.http().delete(`${USERS}/${team.plain.userId}`).set(asAdmin).expect(204);
      const response = await auditList(asAdmin).expect(200);
      expect(Object.keys(response.body).sort()).toEqual(['data', 'nextCursor']);
      const list = events(response);
      expect(list.slice(0, 3).map((event) => [event.action, event.targetUserId])).toEqual([
        ['membership.deleted', team.plain.userId],
        ['membership.updated', team.reader.userId],
        ['membership.updated', team.plain.userId],
      ]);
      // Then the four sessions opened before the test.
      expect(list.slice(3).map((event) => event.action)).toEqual(Array(4).fill('session.opened'));
      const ids = list.map((event) => event.id);
      expect(ids).toEqual([...ids].sort((a, b) => b - a));
      for (let i = 1; i < list.length; i++) {
        expect(list[i - 1].createdAt >= list[i].createdAt).toBe(true);
      }
      for (const event of list) {
        expect(Object.keys(event).sort()).toEqual(
          [
            'id',
            'organizationId',
            'actorUserId',
            'actorClientId',
            'targetUserId',
            'invitationId',
            'action',
            'changes',
            'requestId',
            'createdAt',
          ].sort(),
        );
        expect(event.organizationId).toBe(team.organizationId);
        expect(event.createdAt).toMatch(ISO);
      }
      expect(response.body.nextCursor).toBeNull();
    });

    it('filters by targetUserId and by action, together or apart', async () => {
      await patch(team.plain.userId, asAdmin, { firstName: 'One' }).expect(200);
      await patch(team.reader.userId, asAdmin, { firstName: 'Two' }).expect(200);
      await t.http().delete(`${USERS}/${team.plain.userId}`).set(asAdmin).expect(204);

      const plain = events(await auditList(asAdmin, { targetUserId: team.plain.userId }));
      expect(plain.map((event) => event.action)).toEqual([
        'membership.deleted',
        'membership.updated',
        'session.opened',
      ]);
      for (const event of plain) expect(event.targetUserId).toBe(team.plain.userId);

      const updated = events(await auditList(asAdmin, { action: 'membership.updated' }));
      expect(updated.map((event) => event.targetUserId)).toEqual([
        team.reader.userId,
        team.plain.userId,
      ]);

      const both = events(
        await auditList(asAdmin, {
          targetUserId: team.plain.userId,
          action: 'membership.updated',
        }),
      );
      expect(both).toHaveLength(1);
      expect(both[0].changes).toEqual({ firstName: { before: 'Paul', after: 'One' } });

      const opened = events(await auditList(asAdmin, { action: 'session.opened' }));
      expect(opened.map((event) => event.actorUserId).sort()).toEqual(
        [team.admin, team.manager, team.reader, team.plain].map((m) => m.userId).sort(),
      );
      expect(events(await auditList(asAdmin, { targetUserId: 987654321 }))).toEqual([]);
    });

    it.each([
      ['action', 'membership.exploded'],
      ['action', 'MEMBERSHIP.UPDATED'],
      ['action', ''],
      ['targetUserId', 'abc'],
      ['targetUserId', '1e3'],
      ['limit', '0'],
      ['limit', '101'],
      ['limit', 'ten'],
      ['organizationId', '2'],
      ['actorUserId', '1'],
    ])('refuses %s=%j (400)', async (name, value) => {
      const response = await auditList(asAdmin, { [name]: value }).expect(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
      expect(response.body.errors).toEqual(
        expect.arrayContaining([expect.objectContaining({ field: name })]),
      );
    });

    it('refuses a cursor it did not issue (400 INVALID_CURSOR)', async () => {
      for (const cursor of ['nope!', Buffer.from('v1:x').toString('base64url'), '']) {
        const response = await auditList(asAdmin, { cursor }).expect(400);
        expect(response.body.code).toBe('INVALID_CURSOR');
      }
    });

    it('pages through every event once, newest first, 50 by default', async () => {
      for (let i = 0; i < 47; i++) {
        await patch(team.plain.userId, asAdmin, { firstName: `Name${i}` }).expect(200);
      }
      const stored = await storedAuditEvents(t.dataSource, { organizationId: team.organizationId });
      expect(stored).toHaveLength(51);
      const expected = stored.map((event) => Number(event.id)).reverse();

      const first = await auditList(asAdmin).expect(200);
      expect(events(first)).toHaveLength(50);
      expect(typeof first.body.nextCursor).toBe('string');

      const seen: number[] = [];
      const sizes: number[] = [];
      let cursor: string | null = null;
      for (let page = 0; page < 100; page++) {
        const response: Response = await auditList(asAdmin, {
          limit: 7,
          ...(cursor === null ? {} : { cursor }),
        }).expect(200);
        sizes.push(events(response).length);
        seen.push(...events(response).map((event) => event.id));
        cursor = response.body.nextCursor as string | null;
        if (cursor === null) break;
      }
      expect(sizes).toEqual([7, 7, 7, 7, 7, 7, 7, 2]);
      expect(seen).toEqual(expected);

      // Filters hold across pages.
      const updated: number[] = [];
      cursor = null;
      for (let page = 0; page < 100; page++) {
        const response: Response = await auditList(asAdmin, {
          limit: 10,
          action: 'membership.updated',
          ...(cursor === null ? {} : { cursor }),
        }).expect(200);
        updated.push(...events(response).map((event) => event.id));
        cursor = response.body.nextCursor as string | null;
        if (cursor === null) break;
      }
      expect(updated).toHaveLength(47);
      expect(updated).toEqual(expected.slice(0, 47));
    });

    it('never shows an event of organization 2 to organization 1', async () => {
      // Demo data: dave administers organization 2; alice organization 1.
      const asDave = await t.login('dave', 2);
      const lyonRequest = newRequestId();
      await patch('me', asDave, { firstName: 'David' })
        .set('X-Request-Id', lyonRequest)
        .expect(200);
      const [lyonEvent] = await storedAuditEvents(t.dataSource, { requestId: lyonRequest });
      expect(lyonEvent.organizationId).toBe(2);

      const asAlice = await t.login('alice', 1);
      const all: EventView[] = [];
      let cursor: string | null = null;
      for (let page = 0; page < 1000; page++) {
        const response: Response = await auditList(asAlice, {
          limit: 100,
          ...(cursor === null ? {} : { cursor }),
        }).expect(200);
        all.push(...events(response));
        cursor = response.body.nextCursor as string | null;
        if (cursor === null) break;
      }
      expect(all.length).toBeGreaterThan(0);
      for (const event of all) expect(event.organizationId).toBe(1);
      expect(all.map((event) => event.id)).not.toContain(Number(lyonEvent.id));
      expect(events(await auditList(asAlice, { targetUserId: 4 }).expect(200))).toEqual([]);
      // The team organization sees only its own, even with organization 2's newest id as cursor.
      const fromTeam = events(await auditList(asAdmin, { limit: 100 }).expect(200));
      for (const event of fromTeam) expect(event.organizationId).toBe(team.organizationId);
      const lyonPage = await auditList(asDave, { limit: 1 }).expect(200);
      expect(events(lyonPage)[0].organizationId).toBe(2);
      const crossed = await auditList(asAdmin, {
        cursor: lyonPage.body.nextCursor as string,
      }).expect(200);
      for (const event of events(crossed)) expect(event.organizationId).toBe(team.organizationId);
    });
  });
});
