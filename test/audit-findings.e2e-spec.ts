import { InvitationEntity } from '../src/invitations/entities/invitation.entity';
import { HostResolver } from '../src/webhooks/host-resolver';
import { storedAuditEvents } from './support/audit-trail';
import { ENGINES } from './support/databases';
import {
  acceptByToken,
  invite,
  issued,
  MY_INVITATIONS,
  verifiedBearer,
} from './support/invitations';
import { DENIALS, LOG_GUARD } from './support/log-guard';
import { createTeam } from './support/organization';
import { secondInstance, startTestApp, TestApp } from './support/test-app';

LOG_GUARD.allowInFile(DENIALS);

const USERS = '/users-organizations/v1/rs/users';
const GROUPS = '/users-organizations/v1/rs/groups';
const WEBHOOKS = '/users-organizations/v1/rs/webhooks';

/** The outside audit of 2026-12-07: each finding, attacked as the auditors did. */
describe.each(ENGINES)('the audit of 2026-12-07 on %s', (engine) => {
  let t: TestApp;
  let other: TestApp;

  beforeAll(async () => {
    t = await startTestApp(engine);
    other = await secondInstance(t);
  });
  afterAll(async () => {
    await other.close();
    await t.close();
  });

  describe('invitations outlive their inviter (medium)', () => {
    it.each([
      ['removed', (userId: number) => ({ method: 'delete' as const, path: `${USERS}/${userId}` })],
      [
        'demoted',
        (userId: number) => ({
          method: 'patch' as const,
          path: `${USERS}/${userId}`,
          body: { scope: 2 },
        }),
      ],
    ])(
      'an administrator plants an administrator invitation, is %s, and it dies with its rights',
      async (_label, act) => {
        const team = await createTeam(t, { secondAdmin: true });
        const planter = team.secondAdmin as { userId: number; subject: string };
        const asPlanter = await t.login(planter.subject, team.organizationId);
        const email = `planted.${engine}.${_label}@example.com`;
        const planted = issued(await invite(t, asPlanter, { email, scope: 1 }).expect(201));

        // The other administrator acts on the other instance.
        const asAdmin = await other.login(team.admin.subject, team.organizationId);
        const { method, path, body } = act(planter.userId) as {
          method: 'delete' | 'patch';
          path: string;
          body?: object;
        };
        const call = other.http()[method](path).set(asAdmin);
        await (body === undefined ? call : call.send(body)).expect(method === 'delete' ? 204 : 200);

        // The planter comes back under a new identity with the planted token: gone.
        const redeemed = await acceptByToken(
          t,
          verifiedBearer(`new-identity-${engine}-${_label}`, email),
          planted.token,
        );
        expect(redeemed.status).toBe(410);
        expect(redeemed.body.code).toBe('INVITATION_GONE');
        const row = await t.dataSource
          .getRepository(InvitationEntity)
          .findOneByOrFail({ id: planted.id });
        expect(row.revokedAt).not.toBeNull();
        expect(row.acceptedAt).toBeNull();
        const audit = await storedAuditEvents(t.dataSource, {
          organizationId: team.organizationId,
        });
        const revoked = audit.filter((event) => event.action === 'invitation.revoked');
        expect(revoked).toHaveLength(1);
        expect(revoked[0]).toMatchObject({
          invitationId: planted.id,
          actorUserId: team.admin.userId,
        });
        expect(revoked[0].eventId).toMatch(/^[0-9a-f-]{36}$/);
      },
    );

    it('keeps the invitations of an administrator who stays, and of one who was never one', async () => {
      const team = await createTeam(t, { secondAdmin: true });
      const asAdmin = await t.login(team.admin.subject, team.organizationId);
      const kept = issued(
        await invite(t, asAdmin, { email: `kept.${engine}@example.com` }).expect(201),
      );
      await t.http().delete(`${USERS}/${team.plain.userId}`).set(asAdmin).expect(204);
      const row = await t.dataSource
        .getRepository(InvitationEntity)
        .findOneByOrFail({ id: kept.id });
      expect(row.revokedAt).toBeNull();
    });
  });

  describe('look-alike email keys (low)', () => {
    it('\\u212Aate@ (Kelvin sign) neither sees nor accepts kate@’s invitation', async () => {
      const team = await createTeam(t);
      const asAdmin = await t.login(team.admin.subject, team.organizationId);
      const kate = `kate.${engine}@example.com`;
      const invitation = issued(await invite(t, asAdmin, { email: kate }).expect(201));
      const lookAlike = verifiedBearer(`kelvin-${engine}`, `\u212Aate.${engine}@example.com`);
      const seen = await t.http().get(MY_INVITATIONS).set(lookAlike).expect(200);
      expect(seen.body.data).toEqual([]);
      const accepted = await t
        .http()
        .post(`${MY_INVITATIONS}/${invitation.id}/accept`)
        .set(lookAlike)
        .set('content-type', 'application/json');
      expect(accepted.status).toBe(404);
      const real = await t
        .http()
        .get(MY_INVITATIONS)
        .set(verifiedBearer(`kate-${engine}`, kate))
        .expect(200);
      expect(real.body.data.map((found: { id: number }) => found.id)).toEqual([invitation.id]);
    });
  });

  describe('names not normalized (low)', () => {
    it('NFC and NFD twins are one group on both engines; zero-width and bidi characters are refused', async () => {
      const team = await createTeam(t);
      const asAdmin = await t.login(team.admin.subject, team.organizationId);
      const nfc = 'Équipe de nuit';
      const nfd = nfc.normalize('NFD');
      expect(nfd).not.toBe(nfc);
      const created = await t.http().post(GROUPS).set(asAdmin).send({ name: nfd }).expect(201);
      expect(created.body.data.name).toBe(nfc);
      const twin = await t.http().post(GROUPS).set(asAdmin).send({ name: nfc });
      expect(twin.status).toBe(409);
      for (const name of [
        'Night\u200Bteam',
        'Night \u202Eteam',
        'Night\u2066team\u2069',
        '\uFEFFNight',
      ]) {
        const refused = await t.http().post(GROUPS).set(asAdmin).send({ name });
        expect({ name, status: refused.status, code: refused.body.code }).toEqual({
          name,
          status: 400,
          code: 'VALIDATION_FAILED',
        });
      }
      const renamed = await t
        .http()
        .patch(`${USERS}/me`)
        .set(asAdmin)
        .send({ firstName: 'Ade\u0300le' })
        .expect(200);
      expect(renamed.body.data.firstName).toBe('Ad\u00e8le');
      const zeroWidth = await t
        .http()
        .patch(`${USERS}/me`)
        .set(asAdmin)
        .send({ lastName: 'Ad\u200Dmin' });
      expect(zeroWidth.status).toBe(400);
    });
  });

  describe('DNS on the thread pool (suspected)', () => {
    it('checks the endpoint limit before resolving a name the administrator chose', async () => {
      const team = await createTeam(t);
      const asAdmin = await t.login(team.admin.subject, team.organizationId);
      for (let index = 0; index < 20; index++) {
        await t
          .http()
          .post(WEBHOOKS)
          .set(asAdmin)
          .send({ url: `http://127.0.0.1:9/hook-${index}`, events: ['*'] })
          .expect(201);
      }
      const resolver = t.app.get(HostResolver);
      const resolve = jest.spyOn(resolver, 'resolve');
      try {
        const refused = await t
          .http()
          .post(WEBHOOKS)
          .set(asAdmin)
          .send({ url: 'https://slow-resolver.example/hook', events: ['*'] });
        expect(refused.status).toBe(409);
        expect(refused.body.code).toBe('WEBHOOK_LIMIT_REACHED');
        expect(resolve).not.toHaveBeenCalled();
      } finally {
        resolve.mockRestore();
      }
    });
  });
});
