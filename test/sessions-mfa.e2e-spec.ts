import { ENGINES } from './support/databases';
import { addMembership, createMember } from './support/factories';
import { createTeam } from './support/organization';
import { expectProblem, OPERATOR, SVC_ORGANIZATIONS } from './support/service';
import { secondInstance, startTestApp, TestApp } from './support/test-app';
import { bearerToken } from './support/tokens';

const RS = '/users-organizations/v1/rs';
const STEP_UP = /^Bearer error="insufficient_user_authentication"/;

type Headers = Record<string, string>;

describe.each(ENGINES)('sessions and the second factor on %s', (engine) => {
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

  const bearer = (subject: string, amr?: string[]) => ({
    Authorization: `Bearer ${bearerToken(subject, amr === undefined ? {} : { claims: { amr } })}`,
  });
  const open = (app: TestApp, subject: string, organizationId: number, amr?: string[]) =>
    app.http().post(`${RS}/sessions`).set(bearer(subject, amr)).send({ organizationId });
  const login = async (app: TestApp, subject: string, organizationId: number, amr?: string[]) => {
    const response = await open(app, subject, organizationId, amr).expect(201);
    return {
      ...bearer(subject, amr),
      'x-session-token': response.body.data.sessionToken as string,
    } as Headers;
  };
  const me = (app: TestApp, headers: Headers) => app.http().get(`${RS}/users/me`).set(headers);

  describe('my sessions', () => {
    it('lists mine in every organization, newest first, without tokens; revokes one at once on every instance', async () => {
      const first = await createTeam(t);
      const second = await createTeam(t);
      const { subject } = first.plain;
      const { userId } = first.plain;
      await addMembership(t.dataSource, userId, { organizationId: second.organizationId });
      const inFirst = await login(t, subject, first.organizationId);
      const inSecond = await login(other, subject, second.organizationId, ['mfa']);
      const listed = await t.http().get(`${RS}/me/sessions`).set(bearer(subject)).expect(200);
      const sessions = listed.body.data as {
        id: string;
        organizationId: number;
        mfa: boolean;
        revokedAt: string | null;
      }[];
      expect(sessions.map((session) => [session.organizationId, session.mfa])).toEqual([
        [second.organizationId, true],
        [first.organizationId, false],
      ]);
      for (const session of sessions) {
        expect(Object.keys(session).sort()).toEqual(
          ['createdAt', 'expiresAt', 'id', 'mfa', 'organizationId', 'revokedAt'].sort(),
        );
      }
      // Handles, never the sessions' own ids, which only their tokens carry.
      const stored = await t.dataSource.query<{ id: string }[]>(
        'SELECT `id` FROM `sessions` WHERE `userId` = ?',
        [userId],
      );
      expect(stored).toHaveLength(2);
      for (const { id } of stored) expect(JSON.stringify(listed.body)).not.toContain(id);
      await t.http().delete(`${RS}/me/sessions/${sessions[0].id}`).set(bearer(subject)).expect(204);
      expectProblem(await me(other, inSecond), 401, 'SESSION_REVOKED');
      await me(t, inFirst).expect(200);

      // Someone else's session handle is not found, and revokes nothing.
      const stranger = await createMember(t.dataSource, { organizationId: first.organizationId });
      expectProblem(
        await t.http().delete(`${RS}/me/sessions/${sessions[1].id}`).set(bearer(stranger.subject)),
        404,
        'NO_SUCH_SESSION',
      );
      await me(t, inFirst).expect(200);
    });

    it('lets an administrator sign a member out of the organization everywhere', async () => {
      const team = await createTeam(t);
      const asAdmin = await login(t, team.admin.subject, team.organizationId);
      const one = await login(t, team.reader.subject, team.organizationId);
      const two = await login(other, team.reader.subject, team.organizationId);
      const bystander = await login(t, team.plain.subject, team.organizationId);
      expectProblem(
        await t.http().delete(`${RS}/users/${team.admin.userId}/sessions`).set(bystander),
        403,
        'ADMIN_REQUIRED',
      );
      await t.http().delete(`${RS}/users/${team.reader.userId}/sessions`).set(asAdmin).expect(204);
      expectProblem(await me(other, one), 401, 'SESSION_REVOKED');
      expectProblem(await me(t, two), 401, 'SESSION_REVOKED');
      await me(t, bystander).expect(200);
      expectProblem(
        await t.http().delete(`${RS}/users/999999999/sessions`).set(asAdmin),
        404,
        'MEMBERSHIP_NOT_FOUND',
      );
    });
  });

  describe('a required second factor', () => {
    it('opens sessions only for tokens that show one, with the step-up challenge otherwise', async () => {
      const team = await createTeam(t);
      await t
        .http()
        .patch(`${SVC_ORGANIZATIONS}/${team.organizationId}`)
        .set(OPERATOR)
        .send({ requireMfa: true })
        .expect(200);
      for (const amr of [undefined, ['pwd'], ['otp'], ['pwd', 'pwd']]) {
        const refused = await open(t, team.plain.subject, team.organizationId, amr);
        expectProblem(refused, 401, 'MFA_REQUIRED');
        expect(refused.headers['www-authenticate']).toMatch(STEP_UP);
      }
      for (const amr of [['mfa'], ['pwd', 'otp'], ['pwd', 'hwk']]) {
        await open(t, team.plain.subject, team.organizationId, amr).expect(201);
      }
    });

    it('turning it on revokes the sessions opened without one, and is refused from such a session', async () => {
      const team = await createTeam(t);
      const withoutAdmin = await login(t, team.admin.subject, team.organizationId);
      const withAdmin = await login(other, team.admin.subject, team.organizationId, ['pwd', 'otp']);
      const member = await login(t, team.plain.subject, team.organizationId);
      const strongMember = await login(other, team.reader.subject, team.organizationId, ['mfa']);

      const refused = await t
        .http()
        .patch(`${RS}/organization`)
        .set(withoutAdmin)
        .send({ requireMfa: true });
      expectProblem(refused, 401, 'MFA_REQUIRED');
      expect(refused.headers['www-authenticate']).toMatch(STEP_UP);
      await me(t, member).expect(200);

      const done = await other
        .http()
        .patch(`${RS}/organization`)
        .set(withAdmin)
        .send({ requireMfa: true })
        .expect(200);
      expect(done.body.data.requireMfa).toBe(true);
      expectProblem(await me(other, member), 401, 'SESSION_REVOKED');
      expectProblem(await me(t, withoutAdmin), 401, 'SESSION_REVOKED');
      await me(t, strongMember).expect(200);
      await me(t, withAdmin).expect(200);

      // The operator can lift it when nobody can meet it any more.
      await t
        .http()
        .patch(`${SVC_ORGANIZATIONS}/${team.organizationId}`)
        .set(OPERATOR)
        .send({ requireMfa: false })
        .expect(200);
      await open(t, team.plain.subject, team.organizationId).expect(201);
    });
  });
});
