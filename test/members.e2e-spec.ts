import type { Response } from 'supertest';
import { SessionEntity } from '../src/auth/entities/session.entity';
import { MembershipEntity, Scope } from '../src/users-organizations/entities/membership.entity';
import { UserEntity } from '../src/users/entities/user.entity';
import { ENGINES } from './support/databases';
import {
  addMembership,
  createMember,
  createOrganization,
  membershipRow,
} from './support/factories';
import { createTeam, teamWithSessions, Team } from './support/organization';
import { NO_RATE_LIMITS, startTestApp, TestApp } from './support/test-app';
import { DENIALS, LOG_GUARD } from './support/log-guard';

// This file's requests are refused on purpose: the denials' log lines are expected.
LOG_GUARD.allowInFile(DENIALS);

const USERS = '/users-organizations/v1/rs/users';
const SESSIONS = '/users-organizations/v1/rs/sessions';

type Headers = Record<string, string>;

interface View {
  userId: number;
  organizationId: number;
  scope: number;
  firstName: string;
  lastName: string;
  professionId: number | null;
  permissions: { group: number | null; read: number[]; manage: number[] };
  deletedAt: string | null;
  updatedAt: string;
  createdAt: string;
}

const userIds = (response: Response): number[] =>
  (response.body.data as View[]).map((view) => view.userId);

describe.each(ENGINES)('members API on %s', (engine) => {
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

  const list = (headers: Headers, query: Record<string, string | number> = {}) =>
    t.http().get(USERS).query(query).set(headers);
  const create = (headers: Headers, body: unknown) =>
    t
      .http()
      .post(USERS)
      .set(headers)
      .send(body as object);
  const remove = (headers: Headers, userId: number | string) =>
    t.http().delete(`${USERS}/${userId}`).set(headers);
  // The restore takes no body; a JSON content type keeps the body-less POST apart from the
  // 415 question, which has a test of its own below.
  const restore = (headers: Headers, userId: number | string) =>
    t
      .http()
      .post(`${USERS}/${userId}/restore`)
      .set(headers)
      .set('content-type', 'application/json');
  const row = (userId: number, organizationId = team.organizationId) =>
    membershipRow(t.dataSource, userId, organizationId);
  const membershipsOf = (organizationId: number) =>
    t.dataSource.getRepository(MembershipEntity).find({
      where: { organizationId },
      order: { id: 'ASC' },
    });
  const sessionsOf = (userId: number, organizationId: number) =>
    t.dataSource.getRepository(SessionEntity).findBy({ userId, organizationId });

  /** Walks every page; returns the pages' user ids and checks each page's shape. */
  async function walk(headers: Headers, query: Record<string, string | number>, limit: number) {
    const pages: number[][] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 1000; page++) {
      const response = await list(headers, {
        ...query,
        limit,
        ...(cursor === null ? {} : { cursor }),
      }).expect(200);
      expect(Object.keys(response.body).sort()).toEqual(['data', 'nextCursor']);
      const ids = userIds(response);
      expect(ids.length).toBeLessThanOrEqual(limit);
      pages.push(ids);
      cursor = response.body.nextCursor as string | null;
      if (cursor === null) return pages;
      expect(typeof cursor).toBe('string');
      expect(ids).toHaveLength(limit);
    }
    throw new Error('The pagination never ended');
  }

  describe('GET /users', () => {
    it('lists every active member to an administrator, in a stable order, with full views', async () => {
      const removed = await createMember(t.dataSource, {
        organizationId: team.organizationId,
        firstName: 'Gone',
        deleted: true,
      });
      const response = await list(asAdmin)
        .expect(200)
        .expect('content-type', /^application\/json/);
      expect(response.body.nextCursor).toBeNull();
      expect(userIds(response)).toEqual([
        team.admin.userId,
        team.manager.userId,
        team.reader.userId,
        team.plain.userId,
      ]);
      expect(userIds(response)).not.toContain(removed.userId);
      const one = await t.http().get(`${USERS}/${team.reader.userId}`).set(asAdmin).expect(200);
      expect((response.body.data as View[])[2]).toEqual(one.body.data);
      for (const view of response.body.data as View[]) {
        expect(view.organizationId).toBe(team.organizationId);
        expect(view.deletedAt).toBeNull();
      }
    });

    it('adds soft-deleted members for administrators with includeDeleted=true', async () => {
      const removed = await createMember(t.dataSource, {
        organizationId: team.organizationId,
        firstName: 'Gone',
        deleted: true,
      });
      const response = await list(asAdmin, { includeDeleted: 'true' }).expect(200);
      expect(userIds(response)).toEqual([
        team.admin.userId,
        team.manager.userId,
        team.reader.userId,
        team.plain.userId,
        removed.userId,
      ]);
      const gone = (response.body.data as View[]).find((view) => view.userId === removed.userId);
      expect(gone?.deletedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      const withoutDeleted = await list(asAdmin, { includeDeleted: 'false' }).expect(200);
      expect(userIds(withoutDeleted)).not.toContain(removed.userId);
    });

    it('refuses includeDeleted=true to members (403), but accepts includeDeleted=false', async () => {
      for (const headers of [asManager, asReader, asPlain]) {
        const response = await list(headers, { includeDeleted: 'true' }).expect(403);
        expect(response.body.code).toBe('ADMIN_REQUIRED');
        expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      }
      await list(asPlain, { includeDeleted: 'false' }).expect(200);
    });

    it('shows members themselves and the members of the groups they read or manage', async () => {
      // A member without a group: only administrators (and itself) see it.
      const loner = await createMember(t.dataSource, {
        organizationId: team.organizationId,
        firstName: 'Lone',
        group: null,
      });
      const asLoner = await t.login(loner.subject, team.organizationId);
      const { admin, manager, reader, plain } = team;

      expect(userIds(await list(asPlain).expect(200))).toEqual([plain.userId]);
      // reader reads night: manager is in night.
      expect(userIds(await list(asReader).expect(200))).toEqual([manager.userId, reader.userId]);
      // manager manages day and reads day + night: everyone with a group.
      expect(userIds(await list(asManager).expect(200))).toEqual([
        admin.userId,
        manager.userId,
        reader.userId,
        plain.userId,
      ]);
      expect(userIds(await list(asLoner).expect(200))).toEqual([loner.userId]);
      expect(userIds(await list(asAdmin).expect(200))).toEqual([
        admin.userId,
        manager.userId,
        reader.userId,
        plain.userId,
        loner.userId,
      ]);
    });

    it('never shows a member the deleted members of the groups it reads', async () => {
      const removed = await createMember(t.dataSource, {
        organizationId: team.organizationId,
        group: team.groups.night,
        deleted: true,
      });
      expect(userIds(await list(asReader).expect(200))).not.toContain(removed.userId);
      expect(userIds(await list(asManager).expect(200))).not.toContain(removed.userId);
    });

    it('applies a change of permissions to the very next listing', async () => {
      await t
        .http()
        .patch(`${USERS}/${team.plain.userId}`)
        .set(asAdmin)
        .send({ permissions: { group: team.groups.day, read: [team.groups.night], manage: [] } })
        .expect(200);
      expect(userIds(await list(asPlain).expect(200))).toEqual([
        team.manager.userId,
        team.plain.userId,
      ]);
    });

    it('filters by scope, group and professionId', async () => {
      const { admin, manager, reader, plain, groups } = team;
      expect(userIds(await list(asAdmin, { scope: 1 }).expect(200))).toEqual([admin.userId]);
      expect(userIds(await list(asAdmin, { scope: 2 }).expect(200))).toEqual([
        manager.userId,
        reader.userId,
        plain.userId,
      ]);
      expect(userIds(await list(asAdmin, { group: groups.night }).expect(200))).toEqual([
        manager.userId,
      ]);
      expect(userIds(await list(asAdmin, { group: groups.day }).expect(200))).toEqual([
        admin.userId,
        reader.userId,
        plain.userId,
      ]);
      expect(userIds(await list(asAdmin, { professionId: 1 }).expect(200))).toEqual([
        reader.userId,
      ]);
      expect(userIds(await list(asAdmin, { professionId: 4 }).expect(200))).toEqual([admin.userId]);
      expect(userIds(await list(asAdmin, { professionId: 3 }).expect(200))).toEqual([]);
      expect(
        userIds(await list(asAdmin, { scope: 2, group: groups.day, q: 'p' }).expect(200)),
      ).toEqual([plain.userId]);
    });

    it('applies the filters within what a member may see', async () => {
      const { manager, reader, groups } = team;
      expect(userIds(await list(asPlain, { group: groups.night }).expect(200))).toEqual([]);
      expect(userIds(await list(asReader, { group: groups.night }).expect(200))).toEqual([
        manager.userId,
      ]);
      expect(userIds(await list(asReader, { scope: 1 }).expect(200))).toEqual([]);
      expect(userIds(await list(asReader, { q: 're' }).expect(200))).toEqual([reader.userId]);
    });

    it('matches q as a case-insensitive prefix of the first or the last name', async () => {
      const { admin, manager, reader, plain } = team;
      // Ada Admin, Manon Manager, Remi Reader, Paul Plain
      expect(userIds(await list(asAdmin, { q: 'rem' }).expect(200))).toEqual([reader.userId]);
      expect(userIds(await list(asAdmin, { q: 'REM' }).expect(200))).toEqual([reader.userId]);
      expect(userIds(await list(asAdmin, { q: 'ADMIN' }).expect(200))).toEqual([admin.userId]);
      expect(userIds(await list(asAdmin, { q: 'plAIn' }).expect(200))).toEqual([plain.userId]);
      expect(userIds(await list(asAdmin, { q: 'ma' }).expect(200))).toEqual([manager.userId]);
      // A prefix, not an infix.
      expect(userIds(await list(asAdmin, { q: 'anon' }).expect(200))).toEqual([]);
      expect(userIds(await list(asAdmin, { q: 'dmin' }).expect(200))).toEqual([]);
    });

    it('matches q case-insensitively beyond ASCII', async () => {
      const elodie = await createMember(t.dataSource, {
        organizationId: team.organizationId,
        firstName: 'Élodie',
        lastName: 'Öztürk',
      });
      expect(userIds(await list(asAdmin, { q: 'élo' }).expect(200))).toEqual([elodie.userId]);
      expect(userIds(await list(asAdmin, { q: 'ÉLO' }).expect(200))).toEqual([elodie.userId]);
      expect(userIds(await list(asAdmin, { q: 'özt' }).expect(200))).toEqual([elodie.userId]);
    });

    it('takes %, _, ! and \\ in q literally, not as wildcards', async () => {
      const organizationId = await createOrganization(t.dataSource);
      const admin = await createMember(t.dataSource, {
        organizationId,
        scope: Scope.Administrator,
        firstName: 'Zed',
        lastName: 'Zulu',
      });
      const names = [
        ['%Percent', 'Sign'],
        ['Under', '_score'],
        ['!Bang', 'Mark'],
        ['\\Back', 'Slash'],
        ['Plain', 'Name'],
        ['50%', 'Off'],
      ];
      const members: number[] = [];
      for (const [firstName, lastName] of names) {
        members.push(
          (await createMember(t.dataSource, { organizationId, firstName, lastName })).userId,
        );
      }
      const headers = await t.login(admin.subject, organizationId);
      const search = async (q: string) => userIds(await list(headers, { q }).expect(200));
      expect(await search('%')).toEqual([members[0]]);
      expect(await search('_')).toEqual([members[1]]);
      expect(await search('!')).toEqual([members[2]]);
      expect(await search('\\')).toEqual([members[3]]);
      expect(await search('50%')).toEqual([members[5]]);
      expect(await search('5_%')).toEqual([]);
      expect(await search('P%n')).toEqual([]);
      expect(await search('_lain')).toEqual([]);
      expect(await search('!B')).toEqual([members[2]]);
    });

    it('defaults to 20 a page and accepts limits from 1 to 100', async () => {
      for (let i = 0; i < 21; i++) {
        await createMember(t.dataSource, { organizationId: team.organizationId });
      }
      const first = await list(asAdmin).expect(200);
      expect(first.body.data).toHaveLength(20);
      expect(typeof first.body.nextCursor).toBe('string');
      const one = await list(asAdmin, { limit: 1 }).expect(200);
      expect(userIds(one)).toEqual([team.admin.userId]);
      expect(typeof one.body.nextCursor).toBe('string');
      const all = await list(asAdmin, { limit: 100 }).expect(200);
      expect(all.body.data).toHaveLength(25);
      expect(all.body.nextCursor).toBeNull();
    });

    it.each([['0'], ['101'], ['abc'], ['1e1'], ['-1'], ['1.5'], [' 5'], ['']])(
      'refuses limit=%j (400)',
      async (limit) => {
        const response = await list(asAdmin, { limit }).expect(400);
        expect(response.body.code).toBe('VALIDATION_FAILED');
        expect(response.body.errors).toEqual(
          expect.arrayContaining([expect.objectContaining({ field: 'limit' })]),
        );
      },
    );

    it.each([
      ['scope', '3'],
      ['scope', '1.0'],
      ['scope', 'admin'],
      ['group', 'abc'],
      ['group', '1e3'],
      ['professionId', 'x'],
      ['includeDeleted', 'yes'],
      ['includeDeleted', '1'],
      ['q', ''],
      ['q', 'x'.repeat(251)],
    ])('refuses %s=%j (400)', async (name, value) => {
      const response = await list(asAdmin, { [name]: value }).expect(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
      expect(response.body.errors).toEqual(
        expect.arrayContaining([expect.objectContaining({ field: name })]),
      );
    });

    it('refuses a repeated query parameter (400)', async () => {
      await t.http().get(`${USERS}?limit=5&limit=6`).set(asAdmin).expect(400);
      await t.http().get(`${USERS}?scope=1&scope=2`).set(asAdmin).expect(400);
    });

    it.each([['organizationId'], ['userId'], ['sort'], ['offset'], ['page']])(
      'refuses the unknown query parameter %s (400)',
      async (name) => {
        const response = await list(asAdmin, { [name]: '2' }).expect(400);
        expect(response.body.code).toBe('VALIDATION_FAILED');
        expect(response.body.errors).toEqual(
          expect.arrayContaining([expect.objectContaining({ field: name })]),
        );
      },
    );

    it('walks 45 members at 10 a page: each exactly once, in a stable order', async () => {
      const organizationId = await createOrganization(t.dataSource);
      const owner = await createMember(t.dataSource, {
        organizationId,
        scope: Scope.Administrator,
      });
      for (let i = 0; i < 44; i++) {
        await createMember(t.dataSource, { organizationId, firstName: `Member${i}` });
      }
      const headers = await t.login(owner.subject, organizationId);
      const expected = (await membershipsOf(organizationId)).map((membership) => membership.userId);
      expect(expected).toHaveLength(45);

      const pages = await walk(headers, {}, 10);
      expect(pages.map((page) => page.length)).toEqual([10, 10, 10, 10, 5]);
      expect(pages.flat()).toEqual(expected);
      expect(new Set(pages.flat()).size).toBe(45);
      // The same walk again gives the same pages.
      expect(await walk(headers, {}, 10)).toEqual(pages);
      // A limit dividing the count exactly: no empty page at the end.
      const exact = await walk(headers, {}, 15);
      expect(exact.map((page) => page.length)).toEqual([15, 15, 15]);
      expect(exact.flat()).toEqual(expected);
      // Filters hold across pages.
      const members = await walk(headers, { scope: 2 }, 7);
      expect(members.flat()).toEqual(expected.slice(1));
    });

    it('keeps a walk exact while members are added and removed between pages', async () => {
      for (let i = 0; i < 6; i++) {
        await createMember(t.dataSource, { organizationId: team.organizationId });
      }
      const before = (await membershipsOf(team.organizationId)).map((m) => m.userId);
      const first = await list(asAdmin, { limit: 5 }).expect(200);
      expect(userIds(first)).toEqual(before.slice(0, 5));
      // A member of the first page leaves, and someone new arrives.
      await remove(asAdmin, before[1]).expect(204);
      const late = await createMember(t.dataSource, { organizationId: team.organizationId });
      const second = await list(asAdmin, {
        limit: 10,
        cursor: first.body.nextCursor as string,
      }).expect(200);
      expect(userIds(second)).toEqual([...before.slice(5), late.userId]);
      expect(second.body.nextCursor).toBeNull();
    });

    it.each([
      ['garbage', 'not a cursor!'],
      ['base64 of a non-cursor', Buffer.from('hello').toString('base64url')],
      ['a cursor of another version', Buffer.from('v2:5').toString('base64url')],
      ['a non-numeric id', Buffer.from('v1:abc').toString('base64url')],
      ['an empty string', ''],
      ['a huge cursor', 'a'.repeat(5000)],
    ])('refuses %s as cursor (400 INVALID_CURSOR)', async (_label, cursor) => {
      const response = await list(asAdmin, { cursor }).expect(400);
      expect(response.body.code).toBe('INVALID_CURSOR');
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    });

    it('never shows anything of organization 2 to a session of organization 1', async () => {
      // Demo data: alice administers organization 1; dave (user 4) and group 3 are organization 2's.
      const asAlice = await t.login('alice', 1);
      const everything = await list(asAlice, { includeDeleted: 'true', limit: 100 }).expect(200);
      expect(userIds(everything)).toEqual(expect.arrayContaining([1, 2, 3, 5]));
      expect(userIds(everything)).not.toContain(4);
      for (const view of everything.body.data as View[]) expect(view.organizationId).toBe(1);
      expect(userIds(await list(asAlice, { q: 'dave' }).expect(200))).toEqual([]);
      expect(userIds(await list(asAlice, { q: 'Moreau' }).expect(200))).toEqual([]);
      expect(userIds(await list(asAlice, { group: 3 }).expect(200))).toEqual([]);
      expect(userIds(await list(asAlice, { professionId: 4 }).expect(200))).toEqual([1]);
      // And the other way round.
      const asDave = await t.login('dave', 2);
      const lyon = await list(asDave, { includeDeleted: 'true' }).expect(200);
      expect(userIds(lyon)).toEqual([4]);
    });

    it("cannot use another organization's cursor to reach its members", async () => {
      const other = await createTeam(t);
      const asOtherAdmin = await t.login(other.admin.subject, other.organizationId);
      const otherPage = await list(asOtherAdmin, { limit: 1 }).expect(200);
      const cursor = otherPage.body.nextCursor as string;
      expect(typeof cursor).toBe('string');
      const otherIds = [other.admin, other.manager, other.reader, other.plain].map((m) => m.userId);
      for (const headers of [asAdmin, asPlain]) {
        const response = await list(headers, { cursor, includeDeleted: 'false' }).expect(200);
        for (const view of response.body.data as View[]) {
          expect(view.organizationId).toBe(team.organizationId);
          expect(otherIds).not.toContain(view.userId);
        }
      }
      // And a member's cursor does not widen what the member sees.
      const adminPage = await list(asAdmin, { limit: 1 }).expect(200);
      const widened = await list(asPlain, {
        cursor: adminPage.body.nextCursor as string,
      }).expect(200);
      expect(userIds(widened)).toEqual([team.plain.userId]);
    });

    it('answers 401 without tokens', async () => {
      const response = await t.http().get(USERS).expect(401);
      expect(response.body.code).toBe('TOKEN_MISSING');
    });
  });

  describe('POST /users (removed: members join through invitations)', () => {
    it('lets no administrator create a user, name a subject or enrol anyone', async () => {
      const usersBefore = await t.dataSource.getRepository(UserEntity).count();
      for (const body of [
        { userId: 4, firstName: 'Dave', lastName: 'M.' },
        {
          email: 'victim@corp.example',
          subject: 'attacker-subject',
          firstName: 'V',
          lastName: 'V',
        },
      ]) {
        const response = await create(asAdmin, body);
        expect([404, 405]).toContain(response.status);
        expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      }
      expect(await t.dataSource.getRepository(UserEntity).count()).toBe(usersBefore);
      expect(await membershipsOf(team.organizationId)).toHaveLength(4);
      expect(await row(4, 2)).toMatchObject({ deletedAt: null });
      expect(
        await t.dataSource.getRepository(MembershipEntity).countBy({
          userId: 4,
          organizationId: team.organizationId,
        }),
      ).toBe(0);
    });
  });

  describe('DELETE /users/{userId}', () => {
    it('lets an administrator remove a member: 204, then 404, sessions revoked, row kept', async () => {
      const before = await row(team.plain.userId);
      const response = await remove(asAdmin, team.plain.userId).expect(204);
      expect(response.text).toBe('');

      const stored = await row(team.plain.userId);
      expect(stored.deletedAt).toBeInstanceOf(Date);
      expect(stored.version).toBe(before.version + 1);
      expect(stored.firstName).toBe(before.firstName);

      const gone = await t.http().get(`${USERS}/${team.plain.userId}`).set(asAdmin).expect(404);
      expect(gone.body.code).toBe('MEMBERSHIP_NOT_FOUND');
      expect(userIds(await list(asAdmin).expect(200))).not.toContain(team.plain.userId);
      expect(userIds(await list(asAdmin, { includeDeleted: 'true' }).expect(200))).toContain(
        team.plain.userId,
      );

      // The removed member's open session fails on its very next request.
      const next = await t.http().get(`${USERS}/me`).set(asPlain).expect(401);
      expect(['SESSION_REVOKED', 'MEMBERSHIP_INACTIVE']).toContain(next.body.code);
      const sessions = await sessionsOf(team.plain.userId, team.organizationId);
      expect(sessions.length).toBeGreaterThan(0);
      for (const session of sessions) expect(session.revokedAt).toBeInstanceOf(Date);
      // And it cannot open a new one.
      await t
        .http()
        .post(SESSIONS)
        .set('Authorization', asPlain.Authorization)
        .send({ organizationId: team.organizationId })
        .expect(403);
    });

    it("revokes only the member's sessions in this organization", async () => {
      const other = await createTeam(t);
      await addMembership(t.dataSource, team.plain.userId, {
        organizationId: other.organizationId,
      });
      const elsewhere = await t.login(team.plain.subject, other.organizationId);
      await remove(asAdmin, team.plain.userId).expect(204);
      await t.http().get(`${USERS}/me`).set(asPlain).expect(401);
      await t.http().get(`${USERS}/me`).set(elsewhere).expect(200);
      expect((await row(team.plain.userId, other.organizationId)).deletedAt).toBeNull();
      // Other members of the organization keep their sessions.
      await t.http().get(`${USERS}/me`).set(asReader).expect(200);
    });

    it('refuses a member removing another member (403), changing nothing', async () => {
      for (const [headers, target] of [
        [asPlain, team.reader.userId],
        [asManager, team.plain.userId], // manages day, yet may not remove
        [asReader, team.admin.userId],
      ] as const) {
        const before = await row(target);
        const response = await remove(headers, target).expect(403);
        expect(response.body.code).toBe('ADMIN_REQUIRED');
        expect(await row(target)).toEqual(before);
      }
      await t.http().get(`${USERS}/me`).set(asReader).expect(200);
    });

    it('lets a member leave: `me` or its own id', async () => {
      await remove(asPlain, 'me').expect(204);
      expect((await row(team.plain.userId)).deletedAt).toBeInstanceOf(Date);
      await t.http().get(`${USERS}/me`).set(asPlain).expect(401);

      await remove(asReader, team.reader.userId).expect(204);
      expect((await row(team.reader.userId)).deletedAt).toBeInstanceOf(Date);
    });

    it('refuses the last administrator leaving (409 LAST_ADMIN)', async () => {
      const before = await row(team.admin.userId);
      for (const target of ['me', String(team.admin.userId)]) {
        const response = await remove(asAdmin, target).expect(409);
        expect(response.body.code).toBe('LAST_ADMIN');
      }
      expect(await row(team.admin.userId)).toEqual(before);
      await t.http().get(`${USERS}/me`).set(asAdmin).expect(200);
    });

    it('removes one of two administrators, then refuses the last one', async () => {
      const two = await createTeam(t, { secondAdmin: true });
      const second = two.secondAdmin as { userId: number; subject: string };
      const asFirst = await t.login(two.admin.subject, two.organizationId);
      const asSecond = await t.login(second.subject, two.organizationId);
      await remove(asFirst, second.userId).expect(204);
      await t.http().get(`${USERS}/me`).set(asSecond).expect(401);
      const last = await remove(asFirst, 'me').expect(409);
      expect(last.body.code).toBe('LAST_ADMIN');
      expect((await row(two.admin.userId, two.organizationId)).deletedAt).toBeNull();
    });

    it('lets an administrator leave when another remains', async () => {
      const two = await createTeam(t, { secondAdmin: true });
      const second = two.secondAdmin as { userId: number; subject: string };
      const asFirst = await t.login(two.admin.subject, two.organizationId);
      const asSecond = await t.login(second.subject, two.organizationId);
      await remove(asFirst, 'me').expect(204);
      const last = await remove(asSecond, 'me').expect(409);
      expect(last.body.code).toBe('LAST_ADMIN');
    });

    it('answers 404 for organization 2, removed members and unknown ids', async () => {
      const daveBefore = await row(4, 2);
      for (const headers of [asAdmin, asPlain]) {
        for (const userId of [4, 5, 987654321, 9007199254740991]) {
          const response = await remove(headers, userId).expect(404);
          expect(response.body.code).toBe('MEMBERSHIP_NOT_FOUND');
        }
      }
      expect(await row(4, 2)).toEqual(daveBefore);
      await remove(asAdmin, team.plain.userId).expect(204);
      await remove(asAdmin, team.plain.userId).expect(404);
    });

    it.each([['abc'], ['1.5'], ['1e3'], ['ME'], ['9007199254740992'], ['%20']])(
      'answers 400 for the user id %j',
      async (userId) => {
        const response = await remove(asAdmin, userId).expect(400);
        expect(response.body.code).toBe('INVALID_USER_ID');
      },
    );

    it('answers 401 without tokens', async () => {
      await t.http().delete(`${USERS}/${team.plain.userId}`).expect(401);
      expect((await row(team.plain.userId)).deletedAt).toBeNull();
    });
  });

  describe('POST /users/{userId}/restore', () => {
    it('brings a removed member back: 200, deletedAt null, listed again', async () => {
      await remove(asAdmin, team.plain.userId).expect(204);
      const removed = await row(team.plain.userId);
      const response = await restore(asAdmin, team.plain.userId).expect(200);
      expect(Object.keys(response.body)).toEqual(['data']);
      expect(response.body.data).toMatchObject({
        userId: team.plain.userId,
        organizationId: team.organizationId,
        scope: 2,
        firstName: 'Paul',
        lastName: 'Plain',
        permissions: { group: team.groups.day, read: [], manage: [] },
        deletedAt: null,
      });
      const stored = await row(team.plain.userId);
      expect(stored.deletedAt).toBeNull();
      expect(stored.version).toBe(removed.version + 1);
      expect(response.headers.etag).toBe(`"m${stored.id}.v${stored.version}"`);
      expect(userIds(await list(asAdmin).expect(200))).toContain(team.plain.userId);
      const read = await t.http().get(`${USERS}/${team.plain.userId}`).set(asAdmin).expect(200);
      expect(read.body).toEqual(response.body);
      // Its old session stays revoked; a new one works.
      await t.http().get(`${USERS}/me`).set(asPlain).expect(401);
      const fresh = await t.login(team.plain.subject, team.organizationId);
      await t.http().get(`${USERS}/me`).set(fresh).expect(200);
    });

    it('accepts a POST without a body and without a content type, as clients send it', async () => {
      await remove(asAdmin, team.plain.userId).expect(204);
      // Node's HTTP client (like fetch) sends `Content-Length: 0` and no Content-Type.
      const response = await t.http().post(`${USERS}/${team.plain.userId}/restore`).set(asAdmin);
      expect(response.request.getHeader('content-type')).toBeUndefined();
      expect({ status: response.status, code: response.body.code }).toEqual({
        status: 200,
        code: undefined,
      });
      expect((await row(team.plain.userId)).deletedAt).toBeNull();
    });

    it('answers 409 MEMBERSHIP_ACTIVE for an active member', async () => {
      const before = await row(team.plain.userId);
      const response = await restore(asAdmin, team.plain.userId).expect(409);
      expect(response.body.code).toBe('MEMBERSHIP_ACTIVE');
      expect(await row(team.plain.userId)).toEqual(before);
    });

    it('answers 404 for unknown users and users of another organization', async () => {
      for (const userId of [987654321, 4]) {
        const response = await restore(asAdmin, userId).expect(404);
        expect(response.body.code).toBe('MEMBERSHIP_NOT_FOUND');
      }
      // erin is a removed member of organization 1, not of this one.
      await restore(asAdmin, 5).expect(404);
      expect((await row(5, 1)).deletedAt).toBeInstanceOf(Date);
    });

    it('is for administrators only (403)', async () => {
      await remove(asAdmin, team.plain.userId).expect(204);
      for (const headers of [asManager, asReader]) {
        const response = await restore(headers, team.plain.userId).expect(403);
        expect(response.body.code).toBe('ADMIN_REQUIRED');
      }
      expect((await row(team.plain.userId)).deletedAt).toBeInstanceOf(Date);
    });

    it.each([['me'], ['abc'], ['0'], ['-1'], ['1.5'], ['9007199254740992']])(
      'answers 400 for the user id %j',
      async (userId) => {
        const response = await restore(asAdmin, userId).expect(400);
        expect(response.body.code).toBe('INVALID_ID');
      },
    );
  });
});
