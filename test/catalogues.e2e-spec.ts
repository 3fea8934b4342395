import type { Response } from 'supertest';
import { Scope } from '../src/users-organizations/entities/membership.entity';
import { ENGINES } from './support/databases';
import { createGroup, createMember } from './support/factories';
import { createTeam, Team } from './support/organization';
import { startTestApp, TestApp } from './support/test-app';
import { bearerToken } from './support/tokens';

const BASE = '/users-organizations/v1/rs';
const PROFESSIONS = `${BASE}/professions`;
const GROUPS = `${BASE}/groups`;
const BAD_IDS = ['0', '-1', 'abc', '1.5', '1e3', '0x10', '9007199254740992', '%20'];

describe.each(ENGINES)('catalogues on %s', (engine) => {
  let t: TestApp;
  let team: Team;
  /** Another organization, to prove nothing crosses over. */
  let other: Team;
  let asAdmin: Record<string, string>;
  let asMember: Record<string, string>;

  beforeAll(async () => {
    t = await startTestApp(engine);
  });
  afterAll(() => t.close());

  beforeEach(async () => {
    team = await createTeam(t);
    other = await createTeam(t);
    asAdmin = await t.login(team.admin.subject, team.organizationId);
    asMember = await t.login(team.plain.subject, team.organizationId);
  });

  /** The organization's groups as stored, straight from the database. */
  async function storedGroups(organizationId: number) {
    const rows: { id: number | string; name: string }[] = await t.dataSource.query(
      'SELECT `id`, `name` FROM `organization_groups` WHERE `organizationId` = ? ORDER BY `id`',
      [organizationId],
    );
    return rows.map((row) => ({ id: Number(row.id), name: row.name }));
  }

  /** Sends a request that must be refused, and proves no group of either team changed. */
  async function expectRefusedUnchanged(
    send: () => Promise<Response>,
    status: number,
    code: string,
  ): Promise<Response> {
    const before = [
      await storedGroups(team.organizationId),
      await storedGroups(other.organizationId),
    ];
    const response = await send();
    expect({ status: response.status, code: response.body.code }).toEqual({ status, code });
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect([
      await storedGroups(team.organizationId),
      await storedGroups(other.organizationId),
    ]).toEqual(before);
    return response;
  }

  const post = (headers: Record<string, string>, body: unknown) =>
    t
      .http()
      .post(GROUPS)
      .set(headers)
      .send(body as object);
  const patch = (groupId: number | string, headers: Record<string, string>, body: unknown) =>
    t
      .http()
      .patch(`${GROUPS}/${groupId}`)
      .set(headers)
      .send(body as object);
  const remove = (groupId: number | string, headers: Record<string, string>) =>
    t.http().delete(`${GROUPS}/${groupId}`).set(headers);

  describe(`GET ${PROFESSIONS}`, () => {
    it('lists every profession, ordered by label, for any member', async () => {
      const response = await t
        .http()
        .get(PROFESSIONS)
        .set(asMember)
        .expect(200)
        .expect('content-type', /^application\/json/);
      expect(response.body).toEqual({
        data: [
          { id: 3, label: 'Caregiver' },
          { id: 4, label: 'Coordinator' },
          { id: 1, label: 'Nurse' },
          { id: 2, label: 'Physician' },
        ],
      });
    });

    it('needs the session token as well as the bearer', async () => {
      const response = await t
        .http()
        .get(PROFESSIONS)
        .set('Authorization', asMember.Authorization)
        .expect(401);
      expect(response.body.code).toBe('SESSION_TOKEN_MISSING');
      expect((await t.http().get(PROFESSIONS).expect(401)).body.code).toBe('TOKEN_MISSING');
    });
  });

  describe(`GET ${GROUPS}`, () => {
    it("lists the session organization's groups by id, to members too", async () => {
      const response = await t.http().get(GROUPS).set(asMember).expect(200);
      expect(response.body).toEqual({
        data: [
          { id: team.groups.day, name: 'Day' },
          { id: team.groups.night, name: 'Night' },
        ],
      });
    });

    it('shows a demo session in organization 1 its groups only, never Lyon team', async () => {
      const asAlice = await t.login('alice', 1);
      const response = await t.http().get(GROUPS).set(asAlice).expect(200);
      expect(response.body).toEqual({
        data: [
          { id: 1, name: 'Day team' },
          { id: 2, name: 'Night team' },
        ],
      });
    });

    it('needs both tokens', async () => {
      const response = await t
        .http()
        .get(GROUPS)
        .set('Authorization', asMember.Authorization)
        .expect(401);
      expect(response.body.code).toBe('SESSION_TOKEN_MISSING');
      await t.http().get(GROUPS).set('x-session-token', asMember['x-session-token']).expect(401);
    });
  });

  describe(`POST ${GROUPS}`, () => {
    it('lets an administrator create a group: 201 with the new group', async () => {
      const response = await post(asAdmin, { name: 'Weekend team' })
        .expect(201)
        .expect('content-type', /^application\/json/);
      expect(Object.keys(response.body)).toEqual(['data']);
      expect(response.body.data).toEqual({ id: expect.any(Number), name: 'Weekend team' });
      const id = response.body.data.id as number;
      expect(await storedGroups(team.organizationId)).toEqual([
        { id: team.groups.day, name: 'Day' },
        { id: team.groups.night, name: 'Night' },
        { id, name: 'Weekend team' },
      ]);
      const listed = await t.http().get(GROUPS).set(asMember).expect(200);
      expect(listed.body.data).toContainEqual({ id, name: 'Weekend team' });
      // The new group is usable in permissions right away.
      await t
        .http()
        .patch(`${BASE}/users/${team.plain.userId}`)
        .set(asAdmin)
        .send({ permissions: { group: id, read: [id], manage: [] } })
        .expect(200);
    });

    it('keeps 250 emoji and accented names intact', async () => {
      const emoji = '\u{1F600}'.repeat(250);
      const created = await post(asAdmin, { name: emoji }).expect(201);
      expect(created.body.data.name).toBe(emoji);
      await post(asAdmin, { name: '\u00c9quipe de nuit' }).expect(201);
      const names = (await storedGroups(team.organizationId)).map((group) => group.name);
      expect(names).toEqual(expect.arrayContaining([emoji, '\u00c9quipe de nuit']));
    });

    it('allows a name another organization uses (names are unique per organization)', async () => {
      // Every team has a "Day" group; the demo organization 1 has "Day team".
      const response = await post(asAdmin, { name: 'Day team' }).expect(201);
      expect(response.body.data.name).toBe('Day team');
      expect(await storedGroups(other.organizationId)).toHaveLength(2);
    });

    it('answers 409 GROUP_NAME_TAKEN for a name the organization already has', async () => {
      const response = await expectRefusedUnchanged(
        () => post(asAdmin, { name: 'Night' }),
        409,
        'GROUP_NAME_TAKEN',
      );
      expect(response.body.errors).toEqual([{ field: 'name', message: expect.any(String) }]);
      expect(JSON.stringify(response.body)).not.toMatch(/UQ_|Duplicate|UNIQUE|organization_groups/);
    });

    it('creates one group only when the same name is posted concurrently', async () => {
      const responses = await Promise.all(
        Array.from({ length: 6 }, () => post(asAdmin, { name: 'Race team' })),
      );
      const statuses = responses.map((response) => response.status).sort();
      expect(statuses).toEqual([201, 409, 409, 409, 409, 409]);
      const stored = await storedGroups(team.organizationId);
      expect(stored.filter((group) => group.name === 'Race team')).toHaveLength(1);
    });

    it('refuses a member with 403 ADMIN_REQUIRED', async () => {
      await expectRefusedUnchanged(
        () => post(asMember, { name: 'Rogue team' }),
        403,
        'ADMIN_REQUIRED',
      );
    });

    it('answers 401 without tokens, before looking at the body', async () => {
      const response = await t.http().post(GROUPS).send({ name: 42 }).expect(401);
      expect(response.body.code).toBe('TOKEN_MISSING');
    });

    it.each([
      ['no name', {}, 'name'],
      ['an empty name', { name: '' }, 'name'],
      ['a 251-character name', { name: 'x'.repeat(251) }, 'name'],
      ['251 emoji', { name: '\u{1F600}'.repeat(251) }, 'name'],
      ['a blank name', { name: '   ' }, 'name'],
      ['a leading space', { name: ' Day' }, 'name'],
      ['a trailing space', { name: 'Night ' }, 'name'],
      ['a newline', { name: 'Day\nteam' }, 'name'],
      ['a number', { name: 42 }, 'name'],
      ['null', { name: null }, 'name'],
      ['an array', { name: ['Day'] }, 'name'],
      ['an unknown property', { name: 'Team', color: 'red' }, 'color'],
      ['an organizationId', { name: 'Team', organizationId: 1 }, 'organizationId'],
      ['an id', { name: 'Team', id: 1 }, 'id'],
    ])('answers 400 for %s', async (_case, body, field) => {
      const response = await expectRefusedUnchanged(
        () => post(asAdmin, body),
        400,
        'VALIDATION_FAILED',
      );
      expect(response.body.errors).toEqual(
        expect.arrayContaining([{ field, message: expect.any(String) }]),
      );
    });

    it.each([
      ['an array', '[{"name":"Team"}]', 'VALIDATION_FAILED'],
      ['null', 'null', 'MALFORMED_JSON'],
      ['malformed JSON', '{"name": ', 'MALFORMED_JSON'],
      ['a __proto__ key', '{"__proto__": {"name": "X"}, "name": "Team"}', 'VALIDATION_FAILED'],
    ])('answers 400 for %s as body', async (_case, raw, code) => {
      await expectRefusedUnchanged(
        () => t.http().post(GROUPS).set(asAdmin).set('content-type', 'application/json').send(raw),
        400,
        code,
      );
    });

    it('refuses an empty body without a content type, creating nothing', async () => {
      const before = await storedGroups(team.organizationId);
      const response = await t.http().post(GROUPS).set(asAdmin);
      // 415 while the body parser insists on a content type, 400 (no name) once it lets an empty
      // body through: either way a problem, and no group.
      expect([
        { status: 400, code: 'VALIDATION_FAILED' },
        { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
      ]).toContainEqual({ status: response.status, code: response.body.code });
      expect(await storedGroups(team.organizationId)).toEqual(before);
    });

    it('answers 400 for an empty application/json body', async () => {
      const response = await expectRefusedUnchanged(
        () => t.http().post(GROUPS).set(asAdmin).set('content-type', 'application/json'),
        400,
        'VALIDATION_FAILED',
      );
      expect(response.body.errors).toEqual(
        expect.arrayContaining([expect.objectContaining({ field: expect.any(String) })]),
      );
    });

    it.each(['text/plain', 'application/x-www-form-urlencoded'])(
      'answers 415 for %s',
      async (contentType) => {
        await expectRefusedUnchanged(
          () =>
            t.http().post(GROUPS).set(asAdmin).set('content-type', contentType).send('name=Team'),
          415,
          'UNSUPPORTED_MEDIA_TYPE',
        );
      },
    );
  });

  describe(`PATCH ${GROUPS}/{groupId}`, () => {
    it('lets an administrator rename a group', async () => {
      const response = await patch(team.groups.night, asAdmin, { name: 'Night shift' })
        .expect(200)
        .expect('content-type', /^application\/json/);
      expect(response.body).toEqual({ data: { id: team.groups.night, name: 'Night shift' } });
      expect(await storedGroups(team.organizationId)).toEqual([
        { id: team.groups.day, name: 'Day' },
        { id: team.groups.night, name: 'Night shift' },
      ]);
      // Memberships point at the id: a rename leaves them as they were.
      const manager = await t.http().get(`${BASE}/users/${team.manager.userId}`).set(asAdmin);
      expect(manager.body.data.permissions.group).toBe(team.groups.night);
    });

    it('answers 200 with the group for its current name, changing nothing', async () => {
      const response = await patch(team.groups.day, asAdmin, { name: 'Day' }).expect(200);
      expect(response.body).toEqual({ data: { id: team.groups.day, name: 'Day' } });
    });

    it('answers 409 GROUP_NAME_TAKEN for the name of another group', async () => {
      const response = await expectRefusedUnchanged(
        () => patch(team.groups.day, asAdmin, { name: 'Night' }),
        409,
        'GROUP_NAME_TAKEN',
      );
      expect(response.body.errors).toEqual([{ field: 'name', message: expect.any(String) }]);
    });

    it('answers 404 GROUP_UNKNOWN for an id no group has', async () => {
      await expectRefusedUnchanged(
        () => patch(999999999, asAdmin, { name: 'Ghost' }),
        404,
        'GROUP_UNKNOWN',
      );
    });

    it("answers 404 for another organization's group and leaves it alone", async () => {
      await expectRefusedUnchanged(
        () => patch(other.groups.day, asAdmin, { name: 'Hijacked' }),
        404,
        'GROUP_UNKNOWN',
      );
      // Demo organization 2's group too.
      const response = await expectRefusedUnchanged(
        () => patch(3, asAdmin, { name: 'Hijacked' }),
        404,
        'GROUP_UNKNOWN',
      );
      expect(response.body.detail).not.toContain('Lyon');
    });

    it('refuses a member with 403 ADMIN_REQUIRED', async () => {
      await expectRefusedUnchanged(
        () => patch(team.groups.day, asMember, { name: 'Mine' }),
        403,
        'ADMIN_REQUIRED',
      );
    });

    it.each(BAD_IDS)('answers 400 INVALID_ID for the id %p', async (id) => {
      const response = await expectRefusedUnchanged(
        () => patch(id, asAdmin, { name: 'Team' }),
        400,
        'INVALID_ID',
      );
      expect(response.body.errors).toEqual([{ field: 'groupId', message: expect.any(String) }]);
    });

    it.each([
      ['no name', {}, 'name'],
      ['an empty name', { name: '' }, 'name'],
      ['a 251-character name', { name: 'x'.repeat(251) }, 'name'],
      ['a trailing space', { name: 'Day ' }, 'name'],
      ['null', { name: null }, 'name'],
      ['an organizationId', { name: 'Team', organizationId: 1 }, 'organizationId'],
    ])('answers 400 for %s', async (_case, body, field) => {
      const response = await expectRefusedUnchanged(
        () => patch(team.groups.day, asAdmin, body),
        400,
        'VALIDATION_FAILED',
      );
      expect(response.body.errors).toEqual(
        expect.arrayContaining([{ field, message: expect.any(String) }]),
      );
    });

    it('answers 415 for a body that is not JSON', async () => {
      await expectRefusedUnchanged(
        () =>
          t
            .http()
            .patch(`${GROUPS}/${team.groups.day}`)
            .set(asAdmin)
            .set('content-type', 'text/plain')
            .send('{"name":"Team"}'),
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      );
    });
  });

  describe(`DELETE ${GROUPS}/{groupId}`, () => {
    it('deletes a group no membership references: 204, then 404', async () => {
      const spare = await createGroup(t.dataSource, team.organizationId, 'Spare');
      const response = await remove(spare, asAdmin).expect(204);
      expect(response.text).toBe('');
      expect(await storedGroups(team.organizationId)).toEqual([
        { id: team.groups.day, name: 'Day' },
        { id: team.groups.night, name: 'Night' },
      ]);
      await expectRefusedUnchanged(() => remove(spare, asAdmin), 404, 'GROUP_UNKNOWN');
    });

    it("answers 409 GROUP_IN_USE for a member's own group (permissionGroupId)", async () => {
      // Day is the group of the admin, the reader and the plain member.
      const response = await expectRefusedUnchanged(
        () => remove(team.groups.day, asAdmin),
        409,
        'GROUP_IN_USE',
      );
      expect(JSON.stringify(response.body)).not.toMatch(/permissionGroupId|readGroupIds|SELECT/);
    });

    it('answers 409 while only a read list holds the group', async () => {
      const group = await createGroup(t.dataSource, team.organizationId, 'Readers');
      await createMember(t.dataSource, { organizationId: team.organizationId, read: [group] });
      await expectRefusedUnchanged(() => remove(group, asAdmin), 409, 'GROUP_IN_USE');
    });

    it('answers 409 while only a manage list holds the group, among others', async () => {
      const group = await createGroup(t.dataSource, team.organizationId, 'Managed');
      await createMember(t.dataSource, {
        organizationId: team.organizationId,
        read: [team.groups.day],
        manage: [team.groups.day, group, team.groups.night].sort((a, b) => a - b),
      });
      await expectRefusedUnchanged(() => remove(group, asAdmin), 409, 'GROUP_IN_USE');
    });

    it('answers 409 while a soft-deleted membership (which may be restored) holds it', async () => {
      const group = await createGroup(t.dataSource, team.organizationId, 'Former');
      await createMember(t.dataSource, {
        organizationId: team.organizationId,
        group,
        deleted: true,
      });
      await expectRefusedUnchanged(() => remove(group, asAdmin), 409, 'GROUP_IN_USE');
    });

    it('is not fooled by ids that merely contain the digits of the group id', async () => {
      const group = await createGroup(t.dataSource, team.organizationId, 'Digits');
      // e.g. group 7 against the ids 71 and 17: the lists are compared id by id, not as text.
      await createMember(t.dataSource, {
        organizationId: team.organizationId,
        read: [Number(`${group}1`), Number(`1${group}`)],
        manage: [Number(`${group}0`)],
      });
      await remove(group, asAdmin).expect(204);
    });

    it("ignores another organization's memberships (they cannot reference this group)", async () => {
      const group = await createGroup(t.dataSource, team.organizationId, 'Ours');
      // Inconsistent data on purpose: the check is scoped to the group's organization.
      await createMember(t.dataSource, { organizationId: other.organizationId, read: [group] });
      await remove(group, asAdmin).expect(204);
    });

    it('deletes the group once the last membership stops referencing it', async () => {
      const group = await createGroup(t.dataSource, team.organizationId, 'Temporary');
      const { day } = team.groups;
      const setPermissions = (permissions: object) =>
        t
          .http()
          .patch(`${BASE}/users/${team.plain.userId}`)
          .set(asAdmin)
          .send({ permissions })
          .expect(200);

      await setPermissions({ group, read: [], manage: [] });
      await expectRefusedUnchanged(() => remove(group, asAdmin), 409, 'GROUP_IN_USE');
      await setPermissions({ group: day, read: [group], manage: [] });
      await expectRefusedUnchanged(() => remove(group, asAdmin), 409, 'GROUP_IN_USE');
      await setPermissions({ group: day, read: [], manage: [group] });
      await expectRefusedUnchanged(() => remove(group, asAdmin), 409, 'GROUP_IN_USE');
      await setPermissions({ group: day, read: [], manage: [] });
      await remove(group, asAdmin).expect(204);

      // And a membership can no longer name it.
      const refused = await t
        .http()
        .patch(`${BASE}/users/${team.plain.userId}`)
        .set(asAdmin)
        .send({ permissions: { group, read: [], manage: [] } })
        .expect(422);
      expect(refused.body.code).toBe('GROUP_NOT_FOUND');
    });

    it('answers 404 GROUP_UNKNOWN for an id no group has', async () => {
      await expectRefusedUnchanged(() => remove(999999999, asAdmin), 404, 'GROUP_UNKNOWN');
    });

    it("answers 404 for another organization's unreferenced group and keeps it", async () => {
      const theirs = await createGroup(t.dataSource, other.organizationId, 'Theirs');
      await expectRefusedUnchanged(() => remove(theirs, asAdmin), 404, 'GROUP_UNKNOWN');
      await expectRefusedUnchanged(() => remove(3, asAdmin), 404, 'GROUP_UNKNOWN');
    });

    it('refuses a member with 403 ADMIN_REQUIRED', async () => {
      const spare = await createGroup(t.dataSource, team.organizationId, 'Spare');
      await expectRefusedUnchanged(() => remove(spare, asMember), 403, 'ADMIN_REQUIRED');
    });

    it('refuses an administrator of another organization acting from its own session', async () => {
      const spare = await createGroup(t.dataSource, team.organizationId, 'Spare');
      const asOtherAdmin = await t.login(other.admin.subject, other.organizationId);
      await expectRefusedUnchanged(() => remove(spare, asOtherAdmin), 404, 'GROUP_UNKNOWN');
    });

    it('refuses an administrator demoted a moment ago (the role is read per request)', async () => {
      const spare = await createGroup(t.dataSource, team.organizationId, 'Spare');
      const second = await createMember(t.dataSource, {
        organizationId: team.organizationId,
        scope: Scope.Administrator,
      });
      const asSecond = await t.login(second.subject, team.organizationId);
      await t
        .http()
        .patch(`${BASE}/users/${second.userId}`)
        .set(asAdmin)
        .send({ scope: Scope.Member })
        .expect(200);
      await expectRefusedUnchanged(() => remove(spare, asSecond), 403, 'ADMIN_REQUIRED');
    });

    it.each(BAD_IDS)('answers 400 INVALID_ID for the id %p', async (id) => {
      const response = await expectRefusedUnchanged(() => remove(id, asAdmin), 400, 'INVALID_ID');
      expect(response.body.errors).toEqual([{ field: 'groupId', message: expect.any(String) }]);
    });

    it('answers 401 for a bearer of an unknown user', async () => {
      const response = await t
        .http()
        .delete(`${GROUPS}/${team.groups.night}`)
        .set('Authorization', `Bearer ${bearerToken('nobody-at-all')}`)
        .set('x-session-token', asAdmin['x-session-token'])
        .expect(401);
      expect(response.body.code).toMatch(/^(USER_UNKNOWN|SESSION_TOKEN_INVALID)$/);
    });
  });
});
