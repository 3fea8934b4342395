import type { Response } from 'supertest';
import { MembershipEntity } from '../src/users-organizations/entities/membership.entity';
import { MEMBERSHIP_VIEW_FIELDS } from './support/contract';
import { ENGINES } from './support/databases';
import { membershipRow } from './support/factories';
import { teamWithSessions, Team } from './support/organization';
import { startTestApp, TestApp } from './support/test-app';
import { DENIALS, LOG_GUARD } from './support/log-guard';

// This file's requests are refused on purpose: the denials' log lines are expected.
LOG_GUARD.allowInFile(DENIALS);

const USERS = '/users-organizations/v1/rs/users';

describe.each(ENGINES)('PATCH %s/users/{userId} on %s', (engine) => {
  let t: TestApp;
  let team: Team;
  let asAdmin: Record<string, string>;
  let asManager: Record<string, string>;
  let asReader: Record<string, string>;
  let asPlain: Record<string, string>;

  beforeAll(async () => {
    t = await startTestApp(engine);
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

  const patch = (userId: number | string, headers: Record<string, string>, body: unknown) =>
    t
      .http()
      .patch(`${USERS}/${userId}`)
      .set(headers)
      .send(body as object);

  const row = (userId: number) => membershipRow(t.dataSource, userId, team.organizationId);

  /** Sends a request that must be refused, and proves the stored row did not change. */
  async function expectRefusedUnchanged(
    userId: number,
    send: () => Promise<Response>,
    status: number,
    code: string,
  ) {
    const before = await row(userId);
    const response = await send();
    expect({ status: response.status, code: response.body.code }).toEqual({ status, code });
    expect(await row(userId)).toEqual(before);
    return response;
  }

  describe('200', () => {
    it('updates the caller through `me` and answers the exact envelope with an ETag', async () => {
      const before = await row(team.plain.userId);
      const response = await patch('me', asPlain, { firstName: 'Pauline', lastName: 'Plainte' })
        .expect(200)
        .expect('content-type', /^application\/json/);
      const data = response.body.data;
      expect(Object.keys(response.body)).toEqual(['data']);
      expect(Object.keys(data).sort()).toEqual([...MEMBERSHIP_VIEW_FIELDS].sort());
      expect(data).toMatchObject({
        userId: team.plain.userId,
        organizationId: team.organizationId,
        scope: 2,
        firstName: 'Pauline',
        lastName: 'Plainte',
        professionId: null,
        permissions: { group: team.groups.day, read: [], manage: [] },
        deletedAt: null,
      });
      expect(data.updatedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(data.createdAt).toBe(before.createdAt.toISOString());
      expect(new Date(data.updatedAt).getTime()).toBeGreaterThanOrEqual(before.updatedAt.getTime());
      expect(response.headers.etag).toBe(`"m${before.id}.v2"`);

      const stored = await row(team.plain.userId);
      expect(stored).toMatchObject({ firstName: 'Pauline', lastName: 'Plainte', version: 2 });
      expect(stored.updatedAt.toISOString()).toBe(data.updatedAt);

      const read = await t.http().get(`${USERS}/me`).set(asPlain).expect(200);
      expect(read.body).toEqual(response.body);
      expect(read.headers.etag).toBe(response.headers.etag);
    });

    it('lets an administrator change scope and permissions, returned sorted', async () => {
      const { day, night } = team.groups;
      const response = await patch(team.plain.userId, asAdmin, {
        scope: 1,
        permissions: { group: night, read: [night, day], manage: [night] },
      }).expect(200);
      expect(response.body.data).toMatchObject({
        scope: 1,
        permissions: { group: night, read: [day, night].sort((a, b) => a - b), manage: [night] },
      });
      const stored = await row(team.plain.userId);
      expect(stored).toMatchObject({
        scope: 1,
        permissionGroupId: night,
        readGroupIds: [day, night].sort((a, b) => a - b),
        manageGroupIds: [night],
      });
    });

    it("lets a member whose `manage` holds the target's group change its profile", async () => {
      await patch(team.plain.userId, asManager, { lastName: 'Managed', professionId: 2 })
        .expect(200)
        .expect(({ body }) =>
          expect(body.data).toMatchObject({ lastName: 'Managed', professionId: 2 }),
        );
    });

    it('clears the profession with null', async () => {
      await patch('me', asReader, { professionId: null })
        .expect(200)
        .expect(({ body }) => expect(body.data.professionId).toBeNull());
      expect((await row(team.reader.userId)).professionId).toBeNull();
    });

    it('accepts a charset parameter on the content type', async () => {
      await t
        .http()
        .patch(`${USERS}/me`)
        .set(asPlain)
        .set('content-type', 'application/json; charset=utf-8')
        .send(JSON.stringify({ firstName: 'Charset' }))
        .expect(200);
    });

    it('round-trips 250 emoji, counted as 250 characters', async () => {
      const emoji = '😀'.repeat(250);
      const response = await patch('me', asPlain, { firstName: emoji, lastName: '👩‍⚕️' }).expect(200);
      expect(response.body.data.firstName).toBe(emoji);
      expect(response.body.data.lastName).toBe('👩‍⚕️');
      expect((await row(team.plain.userId)).firstName).toBe(emoji);
      const read = await t.http().get(`${USERS}/me`).set(asPlain).expect(200);
      expect(read.body.data.firstName).toBe(emoji);
    });

    it('treats a body equal to the stored values as a no-op: nothing written', async () => {
      const before = await row(team.plain.userId);
      const first = await t.http().get(`${USERS}/me`).set(asPlain).expect(200);
      const response = await patch('me', asPlain, {
        firstName: before.firstName,
        lastName: before.lastName,
      }).expect(200);
      expect(response.body).toEqual(first.body);
      expect(response.headers.etag).toBe(first.headers.etag);
      expect(await row(team.plain.userId)).toEqual(before);
    });

    it('treats permissions equal up to order as a no-op', async () => {
      const { day, night } = team.groups;
      const before = await row(team.admin.userId);
      await patch('me', asAdmin, {
        permissions: { group: day, read: [night, day], manage: [night, day] },
      }).expect(200);
      expect(await row(team.admin.userId)).toEqual(before);
    });
  });

  describe('400', () => {
    it.each([
      ['abc'],
      ['1.5'],
      ['9007199254740992'],
      ['-9007199254740992'],
      ['1e3'],
      ['0x10'],
      ['ME'],
    ])('refuses the user id %s', async (userId) => {
      const response = await patch(userId, asAdmin, { firstName: 'X' }).expect(400);
      expect(response.body.code).toBe('INVALID_USER_ID');
    });

    it('accepts the extremes of the safe range as ids (then 404)', async () => {
      await patch('9007199254740991', asAdmin, { firstName: 'X' }).expect(404);
      await patch('-9007199254740991', asAdmin, { firstName: 'X' }).expect(404);
    });

    it.each([
      ['an empty object', {}, 'EMPTY_UPDATE', undefined],
      ['an unknown property', { nickname: 'x' }, 'VALIDATION_FAILED', 'nickname'],
      ['a string scope', { scope: '1' }, 'VALIDATION_FAILED', 'scope'],
      ['scope 3', { scope: 3 }, 'VALIDATION_FAILED', 'scope'],
      ['scope true', { scope: true }, 'VALIDATION_FAILED', 'scope'],
      ['a null firstName', { firstName: null }, 'VALIDATION_FAILED', 'firstName'],
      ['an empty lastName', { lastName: '' }, 'VALIDATION_FAILED', 'lastName'],
      ['a number as name', { lastName: 42 }, 'VALIDATION_FAILED', 'lastName'],
      ['251 characters', { firstName: 'a'.repeat(251) }, 'VALIDATION_FAILED', 'firstName'],
      ['251 emoji', { firstName: '😀'.repeat(251) }, 'VALIDATION_FAILED', 'firstName'],
      ['a string professionId', { professionId: '2' }, 'VALIDATION_FAILED', 'professionId'],
      ['a huge professionId', { professionId: 1e21 }, 'VALIDATION_FAILED', 'professionId'],
      ['a float professionId', { professionId: 1.5 }, 'VALIDATION_FAILED', 'professionId'],
      ['null permissions', { permissions: null }, 'VALIDATION_FAILED', 'permissions'],
      [
        'permissions without group',
        { permissions: { read: [], manage: [] } },
        'VALIDATION_FAILED',
        'permissions.group',
      ],
      [
        'a bad id inside read',
        { permissions: { group: null, read: [1, 'x'], manage: [] } },
        'VALIDATION_FAILED',
        'permissions.read[1]',
      ],
      [
        'a duplicate inside manage',
        { permissions: { group: null, read: [], manage: [4, 5, 4] } },
        'VALIDATION_FAILED',
        'permissions.manage[2]',
      ],
      [
        '101 ids',
        {
          permissions: {
            group: null,
            read: Array.from({ length: 101 }, (_, i) => i + 1),
            manage: [],
          },
        },
        'VALIDATION_FAILED',
        'permissions.read',
      ],
      [
        'an unknown nested property',
        { permissions: { group: null, read: [], manage: [], admin: true } },
        'VALIDATION_FAILED',
        'permissions.admin',
      ],
      ['a mass-assigned userId', { userId: 1, firstName: 'X' }, 'VALIDATION_FAILED', 'userId'],
      ['a mass-assigned version', { version: 9, firstName: 'X' }, 'VALIDATION_FAILED', 'version'],
    ])('refuses %s, naming the field, and changes nothing', async (_label, body, code, field) => {
      const response = await expectRefusedUnchanged(
        team.plain.userId,
        () => patch(team.plain.userId, asAdmin, body),
        400,
        code,
      );
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      if (field !== undefined) {
        expect((response.body as { errors: { field: string }[] }).errors).toEqual(
          expect.arrayContaining([expect.objectContaining({ field })]),
        );
      }
    });

    it.each([
      ['an array', '[{"firstName":"X"}]', 'VALIDATION_FAILED'],
      ['a string', '"firstName"', 'MALFORMED_JSON'],
      ['null', 'null', 'MALFORMED_JSON'],
      ['malformed JSON', '{"firstName": ', 'MALFORMED_JSON'],
      ['a __proto__ key', '{"__proto__": {"scope": 1}, "firstName": "X"}', 'VALIDATION_FAILED'],
    ])('refuses %s as body', async (_label, raw, code) => {
      const response = await expectRefusedUnchanged(
        team.plain.userId,
        () =>
          t
            .http()
            .patch(`${USERS}/${team.plain.userId}`)
            .set(asAdmin)
            .set('content-type', 'application/json')
            .send(raw),
        400,
        code,
      );
      expect(response.body).toMatchObject({ status: 400, title: expect.any(String) });
      expect(JSON.stringify(response.body)).not.toMatch(/at .*\.js|node_modules/);
    });
  });

  describe('401, 403, 404', () => {
    it('answers 401 without tokens, before looking at the body', async () => {
      const response = await t.http().patch(`${USERS}/me`).send({ firstName: 'X' }).expect(401);
      expect(response.body.code).toBe('TOKEN_MISSING');
    });

    it('refuses a member changing a profile outside its managed groups', async () => {
      await expectRefusedUnchanged(
        team.manager.userId,
        () => patch(team.manager.userId, asReader, { firstName: 'X' }),
        403,
        'PROFILE_CHANGE_FORBIDDEN',
      );
      await expectRefusedUnchanged(
        team.plain.userId,
        () => patch(team.plain.userId, asReader, { firstName: 'X' }),
        403,
        'PROFILE_CHANGE_FORBIDDEN',
      );
    });

    it('refuses a member raising its own scope, even to the same value', async () => {
      await expectRefusedUnchanged(
        team.plain.userId,
        () => patch('me', asPlain, { scope: 1 }),
        403,
        'SCOPE_CHANGE_FORBIDDEN',
      );
      await expectRefusedUnchanged(
        team.plain.userId,
        () => patch('me', asPlain, { scope: 2 }),
        403,
        'SCOPE_CHANGE_FORBIDDEN',
      );
    });

    it('refuses a manager changing permissions or scope of a member it manages', async () => {
      await expectRefusedUnchanged(
        team.plain.userId,
        () =>
          patch(team.plain.userId, asManager, {
            permissions: { group: null, read: [], manage: [] },
          }),
        403,
        'PERMISSIONS_CHANGE_FORBIDDEN',
      );
      await expectRefusedUnchanged(
        team.plain.userId,
        () => patch(team.plain.userId, asManager, { firstName: 'Ok', scope: 1 }),
        403,
        'SCOPE_CHANGE_FORBIDDEN',
      );
    });

    it('answers 404 for a user of another organization, a deleted member and an unknown id', async () => {
      // dave (user 4) belongs to organization 2 only; erin (user 5) is soft-deleted.
      for (const userId of [4, 5, 987654321]) {
        const response = await patch(userId, asAdmin, { firstName: 'X' }).expect(404);
        expect(response.body.code).toBe('MEMBERSHIP_NOT_FOUND');
        await t.http().get(`${USERS}/${userId}`).set(asAdmin).expect(404);
      }
      const dave = await membershipRow(t.dataSource, 4, 2);
      expect(dave.firstName).toBe('Dave');
    });

    it('answers 404, not 403, for another organization even to a member without rights', async () => {
      await patch(4, asPlain, { scope: 1 }).expect(404);
    });
  });

  describe('409, 412, 413, 415, 422', () => {
    it('refuses to demote the last administrator (409 LAST_ADMIN)', async () => {
      const response = await expectRefusedUnchanged(
        team.admin.userId,
        () => patch('me', asAdmin, { scope: 2 }),
        409,
        'LAST_ADMIN',
      );
      expect(response.body.detail).toMatch(/last active administrator/);
    });

    it('allows demoting an administrator when another remains', async () => {
      await patch(team.plain.userId, asAdmin, { scope: 1 }).expect(200);
      await patch('me', asAdmin, { scope: 2 }).expect(200);
      await patch('me', asAdmin, { firstName: 'Still member' }).expect(200);
      await patch(team.plain.userId, asAdmin, { scope: 2 }).expect(403);
    });

    it('applies If-Match: 412 on a stale ETag, 200 on the current one or *', async () => {
      const current = await t.http().get(`${USERS}/me`).set(asPlain).expect(200);
      const etag = current.headers.etag;
      const updated = await patch('me', asPlain, { firstName: 'One' })
        .set('If-Match', etag)
        .expect(200);
      expect(updated.headers.etag).not.toBe(etag);
      const stale = await expectRefusedUnchanged(
        team.plain.userId,
        () => patch('me', asPlain, { firstName: 'Two' }).set('If-Match', etag),
        412,
        'PRECONDITION_FAILED',
      );
      expect(stale.body.detail).toContain(updated.headers.etag);
      await expectRefusedUnchanged(
        team.plain.userId,
        () =>
          patch('me', asPlain, { firstName: 'Two' }).set('If-Match', `W/${updated.headers.etag}`),
        412,
        'PRECONDITION_FAILED',
      );
      await patch('me', asPlain, { firstName: 'Two' })
        .set('If-Match', `"nope", ${updated.headers.etag}`)
        .expect(200);
      await patch('me', asPlain, { firstName: 'Three' }).set('If-Match', '*').expect(200);
    });

    it('answers 413 for a body over the limit', async () => {
      const response = await expectRefusedUnchanged(
        team.plain.userId,
        () => patch('me', asPlain, { firstName: 'x'.repeat(20_000) }),
        413,
        'PAYLOAD_TOO_LARGE',
      );
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    });

    it.each([
      ['text/plain'],
      ['application/x-www-form-urlencoded'],
      ['application/merge-patch+json'],
      ['multipart/form-data; boundary=x'],
    ])('answers 415 for %s', async (contentType) => {
      await expectRefusedUnchanged(
        team.plain.userId,
        () =>
          t
            .http()
            .patch(`${USERS}/me`)
            .set(asPlain)
            .set('content-type', contentType)
            .send('{"firstName":"X"}'),
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      );
    });

    it('answers 422 for a profession that does not exist', async () => {
      const response = await expectRefusedUnchanged(
        team.plain.userId,
        () => patch('me', asPlain, { professionId: 999999 }),
        422,
        'PROFESSION_NOT_FOUND',
      );
      expect(response.body.errors).toEqual([
        { field: 'professionId', message: expect.any(String) },
      ]);
    });

    it('answers 422 for groups of another organization or none, naming each', async () => {
      // Group 3 is "Lyon team", of organization 2.
      const response = await expectRefusedUnchanged(
        team.plain.userId,
        () =>
          patch(team.plain.userId, asAdmin, {
            permissions: { group: 3, read: [team.groups.day, 3], manage: [999999] },
          }),
        422,
        'GROUP_NOT_FOUND',
      );
      expect(response.body.errors.map((error: { field: string }) => error.field)).toEqual([
        'permissions.group',
        'permissions.read[1]',
        'permissions.manage[0]',
      ]);
    });
  });

  describe('read rules and immediate effect', () => {
    it('lets members read only what their lists cover', async () => {
      await t.http().get(`${USERS}/me`).set(asPlain).expect(200);
      await t.http().get(`${USERS}/${team.plain.userId}`).set(asPlain).expect(200);
      await t.http().get(`${USERS}/${team.plain.userId}`).set(asAdmin).expect(200);
      // reader reads night; manager is in night.
      await t.http().get(`${USERS}/${team.manager.userId}`).set(asReader).expect(200);
      // manager manages day; plain is in day.
      await t.http().get(`${USERS}/${team.plain.userId}`).set(asManager).expect(200);
      const denied = await t.http().get(`${USERS}/${team.manager.userId}`).set(asPlain).expect(403);
      expect(denied.body.code).toBe('READ_FORBIDDEN');
    });

    it('applies a demotion to the very next request of the demoted member', async () => {
      await patch(team.plain.userId, asAdmin, { scope: 1 }).expect(200);
      await patch(team.reader.userId, asPlain, { lastName: 'By new admin' }).expect(200);
      await patch(team.plain.userId, asAdmin, { scope: 2 }).expect(200);
      await patch(team.reader.userId, asPlain, { lastName: 'Again' }).expect(403);
      await patch('me', asPlain, { scope: 1 }).expect(403);
      const stored: MembershipEntity = await row(team.reader.userId);
      expect(stored.lastName).toBe('By new admin');
    });
  });
});
