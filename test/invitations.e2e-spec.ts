import type { Response } from 'supertest';
import { InvitationEntity } from '../src/invitations/entities/invitation.entity';
import { MembershipEntity } from '../src/users-organizations/entities/membership.entity';
import { OrganizationEntity } from '../src/organizations/entities/organization.entity';
import { UserEntity } from '../src/users/entities/user.entity';
import { storedAuditEvents, newRequestId } from './support/audit-trail';
import { ENGINES } from './support/databases';
import { createMember, createOrganization, membershipRow } from './support/factories';
import {
  acceptById,
  acceptByToken,
  INVITATIONS,
  invite,
  issued,
  MY_INVITATIONS,
  verifiedBearer,
} from './support/invitations';
import { createTeam, loginTeam, Team } from './support/organization';
import { NO_RATE_LIMITS, secondInstance, startTestApp, TestApp } from './support/test-app';
import { bearerToken } from './support/tokens';

const USERS = '/users-organizations/v1/rs/users';
const SESSIONS = '/users-organizations/v1/rs/sessions';
const MY_ORGANIZATIONS = '/users-organizations/v1/rs/me/organizations';
const ACCEPT_URL = 'https://care.example/join?token={token}';
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

type Headers = Record<string, string>;

const data = (response: Response) => response.body.data as Record<string, unknown>;
let unique = 0;
/** An address and subject no other test uses. */
const fresh = (name: string) => {
  unique += 1;
  const tag = `${name}-${process.pid}-${unique}`;
  return { subject: `idp|${tag}`, email: `${tag}@invited.example` };
};

describe.each(ENGINES)('invitations on %s', (engine) => {
  let t: TestApp;
  let team: Team;
  let asAdmin: Headers;
  let asManager: Headers;
  let asPlain: Headers;

  beforeAll(async () => {
    t = await startTestApp(engine, {
      env: { ...NO_RATE_LIMITS, INVITATION_ACCEPT_URL: ACCEPT_URL },
    });
  });
  afterAll(() => t.close());

  beforeEach(async () => {
    team = await createTeam(t);
    ({ admin: asAdmin, manager: asManager, plain: asPlain } = await loginTeam(t, team));
  });

  const invitationRows = () =>
    t.dataSource
      .getRepository(InvitationEntity)
      .find({ where: { organizationId: team.organizationId }, order: { id: 'ASC' } });
  const expire = (invitationId: number) =>
    t.dataSource
      .getRepository(InvitationEntity)
      .update({ id: invitationId }, { expiresAt: new Date(Date.now() - 1000) });

  describe('POST /invitations', () => {
    it('invites an email: 201 with the invitation, its token and acceptUrl, once', async () => {
      const { email } = fresh('nina');
      const { day } = team.groups;
      const response = await invite(t, asAdmin, {
        email,
        scope: 2,
        firstName: 'Nina',
        lastName: 'Lefebvre',
        professionId: 1,
        permissions: { group: day, read: [day], manage: [] },
      }).expect(201);
      const invitation = data(response);
      expect(invitation).toEqual({
        id: expect.any(Number),
        organizationId: team.organizationId,
        email,
        status: 'pending',
        scope: 2,
        firstName: 'Nina',
        lastName: 'Lefebvre',
        professionId: 1,
        permissions: { group: day, read: [day], manage: [] },
        invitedByUserId: team.admin.userId,
        expiresAt: expect.stringMatching(ISO),
        acceptedAt: null,
        acceptedByUserId: null,
        revokedAt: null,
        createdAt: expect.stringMatching(ISO),
        token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        acceptUrl: ACCEPT_URL.replace('{token}', encodeURIComponent(issued(response).token)),
      });
      // Seven days by default.
      const lifetime =
        Date.parse(invitation.expiresAt as string) - Date.parse(invitation.createdAt as string);
      expect(lifetime).toBe(7 * 24 * 3600 * 1000);
      // The token is never stored: only its hash.
      const [row] = await invitationRows();
      expect(row.tokenHash).toMatch(/^[0-9a-f]{64}$/);
      expect(JSON.stringify(row)).not.toContain(issued(response).token);
      // Nor shown again.
      const listed = await t.http().get(INVITATIONS).set(asAdmin).expect(200);
      expect(JSON.stringify(listed.body)).not.toContain(issued(response).token);
    });

    it('stores permissions sorted and honours expiresInSeconds', async () => {
      const { day, night } = team.groups;
      const response = await invite(t, asAdmin, {
        email: fresh('sorted').email,
        permissions: { group: night, read: [night, day], manage: [night, day] },
        expiresInSeconds: 3600,
      }).expect(201);
      const sorted = [day, night].sort((a, b) => a - b);
      expect(data(response).permissions).toEqual({ group: night, read: sorted, manage: sorted });
      const invitation = data(response);
      expect(
        Date.parse(invitation.expiresAt as string) - Date.parse(invitation.createdAt as string),
      ).toBe(3600 * 1000);
    });

    const base = { scope: 2, firstName: 'Nina', lastName: 'Lefebvre' };
    it.each([
      ['no email', { ...base }, 'email'],
      ['a bad email', { ...base, email: 'not-an-email' }, 'email'],
      ['a numeric email', { ...base, email: 42 }, 'email'],
      ['an email without a domain dot', { ...base, email: 'x@localhost' }, 'email'],
      ['an email of 321 characters', { ...base, email: `${'a'.repeat(300)}@example.com` }, 'email'],
      ['no scope', { email: 'x@example.com', firstName: 'X', lastName: 'Y' }, 'scope'],
      ['a string scope', { ...base, email: 'x@example.com', scope: '1' }, 'scope'],
      ['scope 3', { ...base, email: 'x@example.com', scope: 3 }, 'scope'],
      ['a null firstName', { ...base, email: 'x@example.com', firstName: null }, 'firstName'],
      ['a missing lastName', { email: 'x@example.com', scope: 2, firstName: 'X' }, 'lastName'],
      ['an empty firstName', { ...base, email: 'x@example.com', firstName: '' }, 'firstName'],
      [
        '251 characters',
        { ...base, email: 'x@example.com', lastName: 'a'.repeat(251) },
        'lastName',
      ],
      ['an unknown property', { ...base, email: 'x@example.com', nickname: 'x' }, 'nickname'],
      [
        'a mass-assigned organizationId',
        { ...base, email: 'x@example.com', organizationId: 2 },
        'organizationId',
      ],
      ['a smuggled token', { ...base, email: 'x@example.com', token: 'chosen' }, 'token'],
      [
        'a string professionId',
        { ...base, email: 'x@example.com', professionId: '1' },
        'professionId',
      ],
      ['null permissions', { ...base, email: 'x@example.com', permissions: null }, 'permissions'],
      [
        'permissions without group',
        { ...base, email: 'x@example.com', permissions: { read: [], manage: [] } },
        'permissions.group',
      ],
      [
        'a duplicate inside read',
        { ...base, email: 'x@example.com', permissions: { group: null, read: [1, 1], manage: [] } },
        'permissions.read[1]',
      ],
      [
        'a lifetime under a minute',
        { ...base, email: 'x@example.com', expiresInSeconds: 59 },
        'expiresInSeconds',
      ],
      [
        'a lifetime over 30 days',
        { ...base, email: 'x@example.com', expiresInSeconds: 30 * 24 * 3600 + 1 },
        'expiresInSeconds',
      ],
      [
        'a string lifetime',
        { ...base, email: 'x@example.com', expiresInSeconds: '3600' },
        'expiresInSeconds',
      ],
    ])('refuses %s (400), inviting nobody', async (_label, body, field) => {
      const response = await t.http().post(INVITATIONS).set(asAdmin).send(body).expect(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body.code).toBe('VALIDATION_FAILED');
      expect(response.body.errors).toEqual(
        expect.arrayContaining([expect.objectContaining({ field })]),
      );
      expect(await invitationRows()).toEqual([]);
    });

    it('refuses a body that is not a JSON object (400) and other content types (415)', async () => {
      await t
        .http()
        .post(INVITATIONS)
        .set(asAdmin)
        .set('content-type', 'application/json')
        .send('[{"email":"x@example.com"}]')
        .expect(400);
      await t
        .http()
        .post(INVITATIONS)
        .set(asAdmin)
        .set('content-type', 'text/plain')
        .send(JSON.stringify({ ...base, email: 'x@example.com' }))
        .expect(415);
      expect(await invitationRows()).toEqual([]);
    });

    it('answers 422 for an unknown profession or a group of another organization', async () => {
      const profession = await invite(t, asAdmin, { email: 'p@example.com', professionId: 999999 });
      expect({ status: profession.status, code: profession.body.code }).toEqual({
        status: 422,
        code: 'PROFESSION_NOT_FOUND',
      });
      const group = await invite(t, asAdmin, {
        email: 'g@example.com',
        permissions: { group: 3, read: [team.groups.day], manage: [999999] },
      }).expect(422);
      expect(group.body.code).toBe('GROUP_NOT_FOUND');
      expect(group.body.errors.map((error: { field: string }) => error.field)).toEqual([
        'permissions.group',
        'permissions.manage[0]',
      ]);
      expect(await invitationRows()).toEqual([]);
    });

    it('answers 409 ALREADY_MEMBER for the email of an active member, whatever its case', async () => {
      for (const email of [
        `${team.plain.subject}@example.com`,
        `  ${team.plain.subject.toUpperCase()}@EXAMPLE.com `,
      ]) {
        const response = await invite(t, asAdmin, { email }).expect(409);
        expect(response.body.code).toBe('ALREADY_MEMBER');
      }
      expect(await invitationRows()).toEqual([]);
    });

    it('answers 409 INVITATION_PENDING for a second one; an expired one is superseded', async () => {
      const { email } = fresh('twice');
      const first = await invite(t, asAdmin, { email }).expect(201);
      const again = await invite(t, asAdmin, { email: email.toUpperCase() }).expect(409);
      expect(again.body.code).toBe('INVITATION_PENDING');
      expect(again.body.detail).toContain('resend');
      await expire(issued(first).id);
      const second = await invite(t, asAdmin, { email }).expect(201);
      const rows = await invitationRows();
      expect(rows.map((row) => [row.id, row.pendingEmailKey !== null])).toEqual([
        [issued(first).id, false],
        [issued(second).id, true],
      ]);
      // The superseded invitation cannot be reopened beside the new one.
      const resent = await t
        .http()
        .post(`${INVITATIONS}/${issued(first).id}/resend`)
        .set(asAdmin)
        .set('content-type', 'application/json')
        .expect(409);
      expect(resent.body.code).toBe('INVITATION_PENDING');
    });

    it('makes one invitation of two concurrent ones for the same address', async () => {
      const { email } = fresh('race');
      const responses = await Promise.all(
        Array.from({ length: 6 }, () => invite(t, asAdmin, { email })),
      );
      expect(responses.map((response) => response.status).sort()).toEqual([
        201, 409, 409, 409, 409, 409,
      ]);
      expect(await invitationRows()).toHaveLength(1);
    });

    it('is for administrators only (403), and needs a session (401)', async () => {
      for (const headers of [asManager, asPlain]) {
        const response = await invite(t, headers, { email: 'no@example.com' }).expect(403);
        expect(response.body.code).toBe('ADMIN_REQUIRED');
      }
      await invite(t, { Authorization: asAdmin.Authorization }, { email: 'no@example.com' }).expect(
        401,
      );
      expect(await invitationRows()).toEqual([]);
    });
  });

  describe('GET /invitations', () => {
    it('lists newest first, filtered by status, a page at a time, own organization only', async () => {
      const made: number[] = [];
      for (const name of ['a', 'b', 'c', 'd']) {
        made.push(issued(await invite(t, asAdmin, { email: fresh(name).email }).expect(201)).id);
      }
      const [accepted, revoked, expired] = made;
      const acceptedEmail = (await invitationRows())[0].email;
      const token = issued(
        await t
          .http()
          .post(`${INVITATIONS}/${accepted}/resend`)
          .set(asAdmin)
          .set('content-type', 'application/json')
          .expect(200),
      ).token;
      await acceptByToken(
        t,
        verifiedBearer(fresh('acceptor').subject, acceptedEmail),
        token,
      ).expect(201);
      await t.http().delete(`${INVITATIONS}/${revoked}`).set(asAdmin).expect(204);
      await expire(expired);

      const all = await t.http().get(INVITATIONS).set(asAdmin).expect(200);
      expect(all.body.data.map((view: { id: number }) => view.id)).toEqual([...made].reverse());
      const byStatus = async (status: string) =>
        (await t.http().get(INVITATIONS).query({ status }).set(asAdmin).expect(200)).body.data.map(
          (view: { id: number; status: string }) => [view.id, view.status],
        );
      expect(await byStatus('pending')).toEqual([[made[3], 'pending']]);
      expect(await byStatus('accepted')).toEqual([[accepted, 'accepted']]);
      expect(await byStatus('revoked')).toEqual([[revoked, 'revoked']]);
      expect(await byStatus('expired')).toEqual([[expired, 'expired']]);

      const first = await t.http().get(INVITATIONS).query({ limit: 3 }).set(asAdmin).expect(200);
      expect(first.body.data).toHaveLength(3);
      const second = await t
        .http()
        .get(INVITATIONS)
        .query({ limit: 3, cursor: first.body.nextCursor as string })
        .set(asAdmin)
        .expect(200);
      expect(second.body.data.map((view: { id: number }) => view.id)).toEqual([made[0]]);
      expect(second.body.nextCursor).toBeNull();

      // Organization 2's administrator sees none of them.
      const asDave = await t.login('dave', 2);
      const lyon = await t.http().get(INVITATIONS).set(asDave).expect(200);
      expect(lyon.body.data.filter((view: { id: number }) => made.includes(view.id))).toEqual([]);
    });

    it('refuses an unknown status (400) and members (403)', async () => {
      const bad = await t
        .http()
        .get(INVITATIONS)
        .query({ status: 'open' })
        .set(asAdmin)
        .expect(400);
      expect(bad.body.errors[0].field).toBe('status');
      await t.http().get(INVITATIONS).set(asPlain).expect(403);
    });
  });

  describe('DELETE /invitations/{id} and POST /invitations/{id}/resend', () => {
    it('revokes: 204, the token stops working (410), a second revoke is 410', async () => {
      const { subject, email } = fresh('revoked');
      const invitation = issued(await invite(t, asAdmin, { email }).expect(201));
      await t.http().delete(`${INVITATIONS}/${invitation.id}`).set(asAdmin).expect(204);
      const gone = await acceptByToken(t, verifiedBearer(subject, email), invitation.token).expect(
        410,
      );
      expect(gone.body.code).toBe('INVITATION_GONE');
      const again = await t
        .http()
        .delete(`${INVITATIONS}/${invitation.id}`)
        .set(asAdmin)
        .expect(410);
      expect(again.body.code).toBe('INVITATION_GONE');
      const [audited] = await storedAuditEvents(t.dataSource, {
        organizationId: team.organizationId,
      }).then((events) => events.filter((event) => event.action === 'invitation.revoked'));
      expect(audited).toMatchObject({
        invitationId: invitation.id,
        actorUserId: team.admin.userId,
      });
    });

    it("answers 404 for another organization's invitation or an unknown id, 400 for a bad id", async () => {
      const asDave = await t.login('dave', 2);
      const lyon = issued(await invite(t, asDave, { email: fresh('lyon').email }).expect(201));
      for (const id of [lyon.id, 987654321]) {
        const revoke = await t.http().delete(`${INVITATIONS}/${id}`).set(asAdmin).expect(404);
        expect(revoke.body.code).toBe('INVITATION_NOT_FOUND');
        await t
          .http()
          .post(`${INVITATIONS}/${id}/resend`)
          .set(asAdmin)
          .set('content-type', 'application/json')
          .expect(404);
      }
      await t.http().delete(`${INVITATIONS}/0`).set(asAdmin).expect(400);
      await t.http().delete(`${INVITATIONS}/abc`).set(asAdmin).expect(400);
      // Lyon's invitation is still pending.
      const [row] = await t.dataSource.getRepository(InvitationEntity).findBy({ id: lyon.id });
      expect(row.revokedAt).toBeNull();
    });

    it('resends: a new token works, the old one no longer does; an expired one comes back', async () => {
      const { subject, email } = fresh('resent');
      const invitation = issued(await invite(t, asAdmin, { email }).expect(201));
      await expire(invitation.id);
      const resent = await t
        .http()
        .post(`${INVITATIONS}/${invitation.id}/resend`)
        .set(asAdmin)
        .set('content-type', 'application/json')
        .expect(200);
      const renewed = issued(resent);
      expect(renewed.status).toBe('pending');
      expect(renewed.token).not.toBe(invitation.token);
      const bearer = verifiedBearer(subject, email);
      const old = await acceptByToken(t, bearer, invitation.token).expect(404);
      expect(old.body.code).toBe('INVITATION_TOKEN_INVALID');
      await acceptByToken(t, bearer, renewed.token).expect(201);
      // Accepted: nothing to resend any more.
      const used = await t
        .http()
        .post(`${INVITATIONS}/${invitation.id}/resend`)
        .set(asAdmin)
        .set('content-type', 'application/json')
        .expect(410);
      expect(used.body.code).toBe('INVITATION_GONE');
    });
  });

  describe('GET /me/invitations', () => {
    it('lists the pending invitations of the verified email, with the organization name', async () => {
      const { subject, email } = fresh('mine');
      const asDave = await t.login('dave', 2);
      const paris = issued(await invite(t, asAdmin, { email }).expect(201));
      const lyon = issued(await invite(t, asDave, { email: email.toUpperCase() }).expect(201));
      const response = await t
        .http()
        .get(MY_INVITATIONS)
        .set(verifiedBearer(subject, `  ${email.toUpperCase()}`))
        .expect(200);
      const names = await t.dataSource
        .getRepository(OrganizationEntity)
        .findBy([{ id: team.organizationId }, { id: 2 }]);
      expect(
        response.body.data.map((view: { id: number; organizationName: string }) => [
          view.id,
          view.organizationName,
        ]),
      ).toEqual([
        [lyon.id, names.find((o) => o.id === 2)?.name],
        [paris.id, names.find((o) => o.id === team.organizationId)?.name],
      ]);
      expect(JSON.stringify(response.body)).not.toContain(paris.token);
    });

    it('lists none without a verified email, for a look-alike, or once expired, revoked or closed', async () => {
      const { subject, email } = fresh('hidden');
      const [local, domain] = email.split('@');
      const invitation = issued(await invite(t, asAdmin, { email }).expect(201));
      const none = async (headers: Headers) =>
        expect((await t.http().get(MY_INVITATIONS).set(headers).expect(200)).body.data).toEqual([]);
      await none(verifiedBearer(subject, email, false));
      await none({ Authorization: `Bearer ${bearerToken(subject, { claims: { email } })}` });
      await none({ Authorization: `Bearer ${bearerToken(subject)}` });
      await none(verifiedBearer(subject, `${local}@${domain.replace('invited', 'invïted')}`));
      await none(verifiedBearer(subject, `${local}x@${domain}`));
      await expire(invitation.id);
      await none(verifiedBearer(subject, email));
    });

    it("hides a deleted organization's invitations", async () => {
      const { subject, email } = fresh('closed-org');
      await invite(t, asAdmin, { email }).expect(201);
      await t.dataSource
        .getRepository(OrganizationEntity)
        .update({ id: team.organizationId }, { archivedAt: new Date() });
      const response = await t.http().get(MY_INVITATIONS).set(verifiedBearer(subject, email));
      expect(response.body.data).toEqual([]);
    });
  });

  describe('accepting', () => {
    it('by id, signed in with the invited email: the membership exactly as invited', async () => {
      const { subject, email } = fresh('accept');
      const { day, night } = team.groups;
      const invitation = issued(
        await invite(t, asAdmin, {
          email: email.toUpperCase(),
          scope: 1,
          firstName: 'Ana',
          lastName: 'Lopez',
          professionId: 2,
          permissions: { group: night, read: [day, night], manage: [night] },
        }).expect(201),
      );
      const usersBefore = await t.dataSource.getRepository(UserEntity).count();
      const bearer = verifiedBearer(subject, email);
      const response = await acceptById(t, bearer, invitation.id).expect(201);
      const user = await t.dataSource.getRepository(UserEntity).findOneByOrFail({ subject });
      expect(await t.dataSource.getRepository(UserEntity).count()).toBe(usersBefore + 1);
      expect(user.email).toBe(email);
      expect(response.body.data).toEqual({
        userId: Number(user.id),
        organizationId: team.organizationId,
        scope: 1,
        firstName: 'Ana',
        lastName: 'Lopez',
        professionId: 2,
        permissions: { group: night, read: [day, night].sort((a, b) => a - b), manage: [night] },
        deletedAt: null,
        updatedAt: expect.stringMatching(ISO),
        createdAt: expect.stringMatching(ISO),
      });
      const stored = await membershipRow(t.dataSource, Number(user.id), team.organizationId);
      expect(response.headers.etag).toBe(`"m${stored.id}.v1"`);
      expect(response.headers.location).toBe(`${USERS}/${user.id}`);
      // The newcomer sees the organization, opens a session there and works.
      const mine = await t.http().get(MY_ORGANIZATIONS).set(bearer).expect(200);
      expect(mine.body.data).toEqual([
        expect.objectContaining({ organizationId: team.organizationId, scope: 1 }),
      ]);
      const opened = await t
        .http()
        .post(SESSIONS)
        .set(bearer)
        .send({ organizationId: team.organizationId })
        .expect(201);
      const me = await t
        .http()
        .get(`${USERS}/me`)
        .set({ ...bearer, 'x-session-token': opened.body.data.sessionToken as string })
        .expect(200);
      expect(me.body.data.firstName).toBe('Ana');
      // Used: a second accept is 410, and the invitation says who accepted it.
      const again = await acceptById(t, bearer, invitation.id).expect(410);
      expect(again.body.code).toBe('INVITATION_GONE');
      const [row] = (await invitationRows()).filter((r) => r.id === invitation.id);
      expect(row).toMatchObject({ acceptedByUserId: Number(user.id), pendingEmailKey: null });
    });

    it('by id refuses another address, an unverified one or none: 404, nothing changes', async () => {
      const { subject, email } = fresh('mismatch');
      const invitation = issued(await invite(t, asAdmin, { email }).expect(201));
      const [local, domain] = email.split('@');
      for (const bearer of [
        verifiedBearer(subject, `other-${email}`),
        verifiedBearer(subject, `${local}@${domain.replace('e', 'é')}`),
        verifiedBearer(subject, email, false),
        { Authorization: `Bearer ${bearerToken(subject)}` },
      ]) {
        const response = await acceptById(t, bearer, invitation.id).expect(404);
        expect(response.body.code).toBe('INVITATION_NOT_FOUND');
      }
      await acceptById(t, verifiedBearer(subject, email), 987654321).expect(404);
      const [row] = await invitationRows();
      expect(row.acceptedAt).toBeNull();
      expect(
        await t.dataSource
          .getRepository(MembershipEntity)
          .countBy({ organizationId: team.organizationId }),
      ).toBe(4);
    });

    it('by token, for whoever holds it, once', async () => {
      const invited = fresh('token-invitee');
      const holder = fresh('token-holder');
      const invitation = issued(await invite(t, asAdmin, { email: invited.email }).expect(201));
      const response = await acceptByToken(
        t,
        { Authorization: `Bearer ${bearerToken(holder.subject)}` },
        invitation.token,
      ).expect(201);
      const user = await t.dataSource
        .getRepository(UserEntity)
        .findOneByOrFail({ subject: holder.subject });
      expect(response.body.data.userId).toBe(Number(user.id));
      const reused = await acceptByToken(
        t,
        verifiedBearer(invited.subject, invited.email),
        invitation.token,
      ).expect(410);
      expect(reused.body.code).toBe('INVITATION_GONE');
    });

    it.each([
      [
        'a wrong secret',
        (token: string) => `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`,
      ],
      ['a character more', (token: string) => `9${token}`],
      ['a character less', (token: string) => token.slice(1)],
      ['an id in front of another secret', (token: string) => `1.${token.slice(1)}A`],
      ['garbage', () => 'not-a-token'],
      ['an empty string', () => ''],
    ])('by token refuses %s: 404 INVITATION_TOKEN_INVALID', async (_label, mangle) => {
      const { subject, email } = fresh('bad-token');
      const invitation = issued(await invite(t, asAdmin, { email }).expect(201));
      const response = await acceptByToken(
        t,
        verifiedBearer(subject, email),
        mangle(invitation.token),
      ).expect(404);
      expect(response.body.code).toBe('INVITATION_TOKEN_INVALID');
      expect((await invitationRows())[0].acceptedAt).toBeNull();
    });

    it('answers 410 for an expired invitation and 409 for an active member, changing nothing', async () => {
      const expiredOne = fresh('expired');
      const invitation = issued(await invite(t, asAdmin, { email: expiredOne.email }).expect(201));
      await expire(invitation.id);
      const bearer = verifiedBearer(expiredOne.subject, expiredOne.email);
      expect((await acceptByToken(t, bearer, invitation.token).expect(410)).body.code).toBe(
        'INVITATION_GONE',
      );
      expect((await acceptById(t, bearer, invitation.id).expect(410)).body.code).toBe(
        'INVITATION_GONE',
      );

      // Plain is a member already; an invitation to its new address finds it on acceptance.
      const other = issued(
        await invite(t, asAdmin, { email: 'plain.new@invited.example' }).expect(201),
      );
      const before = await membershipRow(t.dataSource, team.plain.userId, team.organizationId);
      const asPlainNewEmail = verifiedBearer(team.plain.subject, 'plain.new@invited.example');
      const member = await acceptById(t, asPlainNewEmail, other.id).expect(409);
      expect(member.body.code).toBe('ALREADY_MEMBER');
      expect(await membershipRow(t.dataSource, team.plain.userId, team.organizationId)).toEqual(
        before,
      );
      // Still pending: nothing was used up by the refused attempt.
      const [row] = (await invitationRows()).filter((r) => r.id === other.id);
      expect(row.acceptedAt).toBeNull();
    });

    it('restores a removed member with the invited profile', async () => {
      await t.http().delete(`${USERS}/${team.plain.userId}`).set(asAdmin).expect(204);
      const email = `${team.plain.subject}@example.com`;
      const invitation = issued(
        await invite(t, asAdmin, {
          email,
          scope: 2,
          firstName: 'Paula',
          lastName: 'Back',
          permissions: { group: team.groups.night, read: [], manage: [] },
        }).expect(201),
      );
      const requestId = newRequestId();
      const response = await acceptById(t, verifiedBearer(team.plain.subject, email), invitation.id)
        .set('X-Request-Id', requestId)
        .expect(201);
      expect(response.body.data).toMatchObject({
        userId: team.plain.userId,
        firstName: 'Paula',
        lastName: 'Back',
        deletedAt: null,
        permissions: { group: team.groups.night, read: [], manage: [] },
      });
      const events = await storedAuditEvents(t.dataSource, { requestId });
      expect(events.map((event) => event.action)).toEqual([
        'invitation.accepted',
        'membership.restored',
      ]);
      expect(events[1].changes).toMatchObject({
        deletedAt: { before: expect.stringMatching(/Z$/), after: null },
        firstName: { before: 'Paul', after: 'Paula' },
      });
    });

    it('refuses a deleted user (401), whatever the invitation', async () => {
      const { subject, email } = fresh('deleted-user');
      const invitation = issued(await invite(t, asAdmin, { email }).expect(201));
      const organizationId = await createOrganization(t.dataSource, 'Elsewhere');
      const { userId } = await createMember(t.dataSource, { organizationId, subject });
      await t.dataSource
        .getRepository(UserEntity)
        .update({ id: userId }, { deletedAt: new Date() });
      const response = await acceptById(t, verifiedBearer(subject, email), invitation.id).expect(
        401,
      );
      expect(response.body.code).toBe('USER_UNKNOWN');
      expect((await invitationRows())[0].acceptedAt).toBeNull();
    });
  });

  describe('groups named by an open invitation', () => {
    it('cannot be deleted until the invitation is closed', async () => {
      const created = await t
        .http()
        .post('/users-organizations/v1/rs/groups')
        .set(asAdmin)
        .send({ name: 'Weekend' })
        .expect(201);
      const group = created.body.data.id as number;
      const invitation = issued(
        await invite(t, asAdmin, {
          email: fresh('grouped').email,
          permissions: { group: null, read: [group], manage: [] },
        }).expect(201),
      );
      const refused = await t
        .http()
        .delete(`/users-organizations/v1/rs/groups/${group}`)
        .set(asAdmin)
        .expect(409);
      expect(refused.body.code).toBe('GROUP_IN_USE');
      await t.http().delete(`${INVITATIONS}/${invitation.id}`).set(asAdmin).expect(204);
      await t.http().delete(`/users-organizations/v1/rs/groups/${group}`).set(asAdmin).expect(204);
    });
  });

  describe('users from verified sign-ins only', () => {
    it('twelve concurrent first requests from two instances make one user', async () => {
      const second = await secondInstance(t, { env: NO_RATE_LIMITS });
      try {
        const { subject, email } = fresh('first-sign-in');
        const bearer = verifiedBearer(subject, email);
        const responses = await Promise.all(
          Array.from({ length: 12 }, (_, index) =>
            (index % 2 === 0 ? t : second).http().get(MY_INVITATIONS).set(bearer),
          ),
        );
        expect(responses.map((response) => response.status)).toEqual(Array(12).fill(200));
        expect(await t.dataSource.getRepository(UserEntity).countBy({ subject })).toBe(1);
      } finally {
        await second.close();
      }
    });
  });
});
