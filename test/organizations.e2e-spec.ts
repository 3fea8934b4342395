import { Scope } from '../src/users-organizations/entities/membership.entity';
import { OrganizationEntity } from '../src/organizations/entities/organization.entity';
import { UserEntity } from '../src/users/entities/user.entity';
import { ENGINES } from './support/databases';
import { addMembership, createMember, createOrganization } from './support/factories';
import { startTestApp, TestApp } from './support/test-app';
import { bearerToken, sessionToken } from './support/tokens';

const MY_ORGANIZATIONS = '/users-organizations/v1/rs/me/organizations';
const SESSIONS = '/users-organizations/v1/rs/sessions';

describe.each(ENGINES)('GET /me/organizations on %s', (engine) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(engine);
  });
  afterAll(() => t.close());

  const bearer = (subject: string) => ({ Authorization: `Bearer ${bearerToken(subject)}` });
  const list = (subject: string) => t.http().get(MY_ORGANIZATIONS).set(bearer(subject));

  describe('200', () => {
    it('shows alice her one organization, with the bearer alone', async () => {
      const response = await list('alice')
        .expect(200)
        .expect('content-type', /^application\/json/);
      expect(response.body).toEqual({
        data: [{ organizationId: 1, name: 'Demo Care Paris', scope: Scope.Administrator }],
      });
    });

    it('shows each demo user its own organizations only', async () => {
      expect((await list('bob').expect(200)).body.data).toEqual([
        { organizationId: 1, name: 'Demo Care Paris', scope: Scope.Member },
      ]);
      expect((await list('dave').expect(200)).body.data).toEqual([
        { organizationId: 2, name: 'Demo Care Lyon', scope: Scope.Administrator },
      ]);
    });

    it('lists a user in several organizations by organization id, each with its scope', async () => {
      // Ordered by organization id: neither by name nor by when the memberships were made.
      const first = await createOrganization(t.dataSource, 'Zeta Care');
      const second = await createOrganization(t.dataSource, 'Alpha Care');
      const { userId, subject } = await createMember(t.dataSource, {
        organizationId: second,
        scope: Scope.Administrator,
      });
      await addMembership(t.dataSource, userId, { organizationId: first, scope: Scope.Member });
      const response = await list(subject).expect(200);
      expect(response.body).toEqual({
        data: [
          { organizationId: first, name: 'Zeta Care', scope: Scope.Member },
          { organizationId: second, name: 'Alpha Care', scope: Scope.Administrator },
        ],
      });
      // Every listed organization is one the caller can open a session in.
      for (const { organizationId } of response.body.data as { organizationId: number }[]) {
        await t.http().post(SESSIONS).set(bearer(subject)).send({ organizationId }).expect(201);
      }
    });

    it('leaves out a soft-deleted membership', async () => {
      const kept = await createOrganization(t.dataSource, 'Kept');
      const left = await createOrganization(t.dataSource, 'Left');
      const { userId, subject } = await createMember(t.dataSource, { organizationId: kept });
      await addMembership(t.dataSource, userId, { organizationId: left, deleted: true });
      expect((await list(subject).expect(200)).body.data).toEqual([
        { organizationId: kept, name: 'Kept', scope: Scope.Member },
      ]);
      // erin's only membership (demo organization 1) is soft-deleted.
      expect((await list('erin').expect(200)).body).toEqual({ data: [] });
    });

    it('leaves out a deleted organization', async () => {
      const kept = await createOrganization(t.dataSource, 'Still here');
      const closed = await createOrganization(t.dataSource, 'Closed');
      const { userId, subject } = await createMember(t.dataSource, {
        organizationId: closed,
        scope: Scope.Administrator,
      });
      await addMembership(t.dataSource, userId, { organizationId: kept });
      await t.dataSource
        .getRepository(OrganizationEntity)
        .update({ id: closed }, { archivedAt: new Date() });
      expect((await list(subject).expect(200)).body.data).toEqual([
        { organizationId: kept, name: 'Still here', scope: Scope.Member },
      ]);
    });

    it('answers an empty list for a known user without memberships', async () => {
      const now = new Date();
      await t.dataSource.getRepository(UserEntity).insert({
        issuer: '',
        subject: 'lonely',
        email: null,
        createdAt: now,
        updatedAt: now,
        deletedAt: null,
      });
      expect((await list('lonely').expect(200)).body).toEqual({ data: [] });
    });

    it('reflects a scope change on the next call (nothing cached)', async () => {
      const organizationId = await createOrganization(t.dataSource, 'Changing');
      const admin = await createMember(t.dataSource, {
        organizationId,
        scope: Scope.Administrator,
      });
      const member = await createMember(t.dataSource, { organizationId });
      expect((await list(member.subject).expect(200)).body.data[0].scope).toBe(Scope.Member);
      const asAdmin = await t.login(admin.subject, organizationId);
      await t
        .http()
        .patch(`/users-organizations/v1/rs/users/${member.userId}`)
        .set(asAdmin)
        .send({ scope: Scope.Administrator })
        .expect(200);
      expect((await list(member.subject).expect(200)).body.data[0].scope).toBe(Scope.Administrator);
    });

    it('ignores a session token sent along (the bearer decides)', async () => {
      const asDave = await t.login('dave', 2);
      const response = await t
        .http()
        .get(MY_ORGANIZATIONS)
        .set(bearer('alice'))
        .set('x-session-token', asDave['x-session-token'])
        .expect(200);
      expect(response.body.data).toEqual([
        { organizationId: 1, name: 'Demo Care Paris', scope: Scope.Administrator },
      ]);
    });
  });

  describe('401', () => {
    it('answers 401 TOKEN_MISSING without a bearer, even with a session token', async () => {
      const asAlice = await t.login('alice', 1);
      const response = await t
        .http()
        .get(MY_ORGANIZATIONS)
        .set('x-session-token', asAlice['x-session-token'])
        .expect(401);
      expect(response.body.code).toBe('TOKEN_MISSING');
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    });

    it('answers 401 for a session token sent as the bearer', async () => {
      const forged = sessionToken({ userId: 1, sessionId: 'x' });
      const response = await t
        .http()
        .get(MY_ORGANIZATIONS)
        .set('Authorization', `Bearer ${forged}`)
        .expect(401);
      expect(response.body.code).toBe('TOKEN_INVALID');
      expect(response.headers['www-authenticate']).toMatch(/invalid_token/);
    });

    it('answers 401 for an expired bearer', async () => {
      const expired = bearerToken('alice', { expiresIn: -10 });
      await t.http().get(MY_ORGANIZATIONS).set('Authorization', `Bearer ${expired}`).expect(401);
    });

    it('answers 401 USER_UNKNOWN for a deleted user', async () => {
      const organizationId = await createOrganization(t.dataSource, 'Gone user');
      const { userId, subject } = await createMember(t.dataSource, { organizationId });
      await t.dataSource
        .getRepository(UserEntity)
        .update({ id: userId }, { deletedAt: new Date() });
      expect((await list(subject).expect(401)).body.code).toBe('USER_UNKNOWN');
    });

    it('signs a new subject in (DESIGN 5): its user is created, a member of nothing yet', async () => {
      const subject = `first-sign-in-${Date.now()}`;
      expect((await list(subject).expect(200)).body).toEqual({ data: [] });
      expect(await t.dataSource.getRepository(UserEntity).countBy({ subject })).toBe(1);
    });
  });
});
