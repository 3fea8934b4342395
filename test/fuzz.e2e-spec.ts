import { displayNameProblem } from '../src/common/validation/display-name';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import type { Response } from 'supertest';
import { MembershipEntity, Scope } from '../src/users-organizations/entities/membership.entity';
import { ENGINES } from './support/databases';
import { membershipRow, MembershipState, membershipState, sortedIds } from './support/factories';
import { createTeam, Team } from './support/organization';
import { InvitationEntity } from '../src/invitations/entities/invitation.entity';
import { acceptById, acceptByToken, INVITATIONS, verifiedBearer } from './support/invitations';
import { DOCUMENTED_STATUSES, problemViolations } from './support/problem';
import { startTestApp, TestApp } from './support/test-app';
import { bearerToken } from './support/tokens';
import { DENIALS, LOG_GUARD } from './support/log-guard';

// This file's requests are refused on purpose: the denials' log lines are expected.
LOG_GUARD.allowInFile(DENIALS);

/**
 * Property-based fuzzing of the PATCH with fast-check, against the real app on both engines:
 * generated bodies, path ids and header values, valid and invalid. For every case:
 * - never a 5xx, and the status is one of the documented ones;
 * - every error is a complete problem+json;
 * - a refused request changes nothing in the database (rows compared before and after);
 * - an accepted one changes exactly the fields sent (permissions stored sorted), nothing else.
 *
 * `npm test` runs FUZZ_RUNS (default 60) cases per property; `npm run fuzz` runs 2000.
 * FUZZ_SEED replays a failure reported by fast-check.
 */

const RUNS = Math.max(1, Number(process.env.FUZZ_RUNS ?? 60) || 60);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
/** Per property: start-up aside, a case is a request and two or three queries. */
const TIMEOUT_MS = 30_000 + RUNS * 250;
const PARAMETERS: fc.Parameters<unknown> = {
  numRuns: RUNS,
  ...(SEED === undefined ? {} : { seed: SEED }),
};

const USERS = '/users-organizations/v1/rs/users';
const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const MIN_SAFE = Number.MIN_SAFE_INTEGER;
/** "Lyon team": a group of demo organization 2, never of the fuzzed organization. */
const FOREIGN_GROUP = 3;

/** The limiter has its own suite; here every request must be judged on its content. */
const NO_RATE_LIMITS = {
  RATE_LIMIT_PER_USER_PER_MINUTE: '0',
  RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '0',
  RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '0',
};

type Headers = Record<string, string>;
type Actor = 'admin' | 'manager' | 'reader' | 'plain';

type Projection = MembershipState;
const project = membershipState;

const view = (row: MembershipEntity) => ({
  userId: row.userId,
  organizationId: row.organizationId,
  ...project(row),
  deletedAt: row.deletedAt === null ? null : row.deletedAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
  createdAt: row.createdAt.toISOString(),
});

/** What is wrong with a response on its own: its status, and for an error its problem body. */
function responseViolations(response: Response): string[] {
  if (response.status >= 500) return [`a ${response.status}: ${response.text}`];
  if (!DOCUMENTED_STATUSES.includes(response.status))
    return [`undocumented status ${response.status}`];
  if (response.status === 200) {
    const violations: string[] = [];
    if (!/^application\/json/.test(String(response.headers['content-type'])))
      violations.push('200 is not JSON');
    if (typeof response.body?.data !== 'object') violations.push('200 without data');
    return violations;
  }
  return problemViolations(response);
}

/** Counts the statuses a property saw, so a generator that never reaches one side is noticed. */
class Tally {
  readonly statuses = new Map<number, number>();
  add(status: number) {
    this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
  }
  get accepted() {
    return this.statuses.get(200) ?? 0;
  }
  get refused() {
    return [...this.statuses]
      .filter(([status]) => status !== 200)
      .reduce((sum, [, count]) => sum + count, 0);
  }
}

// ---- generators ---------------------------------------------------------------------------

const validName = fc
  .oneof(
    { weight: 6, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        'a'.repeat(250),
        '😀'.repeat(250),
        '👩‍⚕️',
        'Ærøskøbing',
        'Jose\u0301',
        'Nguyễn',
        "O'Brien",
        'null',
        '0',
        '<script>alert(1)</script>',
        "'; DROP TABLE memberships; --",
      ),
    },
  )
  // Valid as DESIGN 7 says: what displayNameProblem accepts (the generator also draws controls,
  // zero-width and bidirectional characters, which it refuses).
  .filter((name) => displayNameProblem(name, 250) === null);

const invalidName = fc.oneof(
  fc.constantFrom('', 'a'.repeat(251), '😀'.repeat(251), null, true, 0, -1.5),
  fc.constantFrom(' ', ' padded ', '\u202eevil', 'Ca\u200Bre', 'Day\nteam', '\uFEFFBom'),
  fc.integer(),
  fc.array(fc.string({ maxLength: 3 }), { maxLength: 2 }),
  fc.dictionary(fc.string({ maxLength: 3 }), fc.string({ maxLength: 3 }), { maxKeys: 2 }),
);

const numberEdges = fc.constantFrom(
  0,
  -1,
  1,
  MAX_SAFE,
  MIN_SAFE,
  MAX_SAFE + 1,
  MIN_SAFE - 1,
  2 ** 63,
  1e21,
  1.5,
  -0.5,
  Number.MIN_VALUE,
  Number.MAX_VALUE,
);

const validProfession = fc.constantFrom(1, 2, 3, 4, null);
const otherProfession = fc.oneof(
  numberEdges,
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom('1', '2', true, [], {}, [1]),
);

const validScope = fc.constantFrom(Scope.Administrator, Scope.Member);
const invalidScope = fc.oneof(
  numberEdges.filter((value) => value !== 1),
  fc.constantFrom(3, '1', '2', true, false, null, [1], { scope: 1 }),
);

function permissionArbitraries(team: Team) {
  const { day, night } = team.groups;
  const valid = fc.record({
    group: fc.constantFrom(null, day, night),
    read: fc.shuffledSubarray([day, night]),
    manage: fc.shuffledSubarray([day, night]),
  });
  const id = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(day, night, FOREIGN_GROUP) },
    { weight: 2, arbitrary: fc.integer({ min: -3, max: 1_000_000 }) },
    { weight: 2, arbitrary: numberEdges },
    { weight: 1, arbitrary: fc.constantFrom('1', null, true, [day], { id: day }) },
  );
  const list = fc.oneof(
    { weight: 6, arbitrary: fc.array(id, { maxLength: 6 }) },
    { weight: 1, arbitrary: fc.array(id, { minLength: 99, maxLength: 102 }) },
    { weight: 1, arbitrary: fc.constant(Array.from({ length: 101 }, (_, index) => index + 1)) },
    { weight: 1, arbitrary: fc.constantFrom(null, 'x', 1, {}, [[day]]) },
  );
  const fuzzed = fc
    .tuple(
      fc.record(
        { group: fc.oneof(id, fc.constant(null)), read: list, manage: list },
        { requiredKeys: [] },
      ),
      fc.option(fc.constantFrom('scope', 'admin', 'organizationId', 'all'), { freq: 4 }),
    )
    .map(([permissions, extra]) => (extra === null ? permissions : { ...permissions, [extra]: 1 }));
  return {
    valid,
    any: fc.oneof(valid, fuzzed, fc.constantFrom(null, [], 'all', 1, true)),
  };
}

const EXTRA_KEYS = [
  'userId',
  'organizationId',
  'id',
  'version',
  'createdAt',
  'updatedAt',
  'deletedAt',
  'subject',
  'email',
  'nickname',
  'constructor',
  'FirstName',
  'first_name',
  '',
];

function bodyArbitrary(team: Team) {
  const permissions = permissionArbitraries(team);
  const valid = fc
    .record(
      {
        firstName: validName,
        lastName: validName,
        professionId: validProfession,
        scope: validScope,
        permissions: permissions.valid,
      },
      { requiredKeys: [] },
    )
    .filter((body) => Object.keys(body).length > 0);
  const mixed = fc
    .tuple(
      fc.record(
        {
          firstName: fc.oneof(validName, invalidName),
          lastName: fc.oneof(validName, invalidName),
          professionId: fc.oneof(validProfession, otherProfession),
          scope: fc.oneof(validScope, invalidScope),
          permissions: permissions.any,
        },
        { requiredKeys: [] },
      ),
      fc.option(fc.tuple(fc.constantFrom(...EXTRA_KEYS), fc.jsonValue({ maxDepth: 1 })), {
        freq: 3,
      }),
    )
    .map(([body, extra]) => (extra === null ? body : { ...body, [extra[0]]: extra[1] }));
  return fc.oneof(
    { weight: 4, arbitrary: valid },
    { weight: 4, arbitrary: mixed },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
  );
}

/** Names that stress encodings: any code point (lone surrogates too), NUL, controls, bidi. */
const awkwardName = fc
  .array(
    fc.oneof(
      fc.string({ unit: 'binary', maxLength: 4 }),
      fc.constantFrom(
        '\u0000',
        // Not in NFC: stored as U+8C48 and as é.
        '\uf900',
        'e\u0301',
        '\ud800',
        '\udfff',
        'a\ud83d',
        '\ude00b',
        '😀',
        '👩‍⚕️',
        '\u202e',
        '\ufeff',
        '\uffff',
        '\u0085',
        '\r\n',
        '\t',
        '\u{10ffff}',
      ),
    ),
    { minLength: 1, maxLength: 6 },
  )
  .map((parts) => parts.join(''));

/** Header values Node's client can send: visible ASCII, spaces and Latin-1. */
const headerText = (maxLength: number) =>
  fc.string({
    unit: fc
      .oneof(
        { weight: 9, arbitrary: fc.integer({ min: 0x20, max: 0x7e }) },
        { weight: 1, arbitrary: fc.integer({ min: 0xa0, max: 0xff }) },
      )
      .map((code) => String.fromCharCode(code)),
    maxLength,
  });

const base64urlText = (maxLength: number) =>
  fc.string({
    unit: fc.constantFrom(
      ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.split(''),
    ),
    maxLength,
  });

// ---- the suite ----------------------------------------------------------------------------

describe.each(ENGINES)('fuzzing the PATCH on %s', (engine) => {
  let t: TestApp;
  let team: Team;
  let sessions: Record<Actor, Headers>;

  beforeAll(async () => {
    t = await startTestApp(engine, { env: NO_RATE_LIMITS });
    team = await createTeam(t, { secondAdmin: true });
    sessions = {
      admin: await t.login(team.admin.subject, team.organizationId),
      manager: await t.login(team.manager.subject, team.organizationId),
      reader: await t.login(team.reader.subject, team.organizationId),
      plain: await t.login(team.plain.subject, team.organizationId),
    };
  });
  afterAll(async () => {
    await t?.close();
  });

  const memberships = () =>
    t.dataSource.getRepository(MembershipEntity).find({ order: { id: 'ASC' } });
  const targetRow = () => membershipRow(t.dataSource, team.plain.userId, team.organizationId);

  /** Puts the fuzzed member back as createTeam made it, so every case starts from one state. */
  async function resetTarget() {
    await t.dataSource.getRepository(MembershipEntity).update(
      { userId: team.plain.userId, organizationId: team.organizationId },
      {
        scope: Scope.Member,
        firstName: 'Paul',
        lastName: 'Plain',
        professionId: null,
        permissionGroupId: team.groups.day,
        readGroupIds: [],
        manageGroupIds: [],
        deletedAt: null,
      },
    );
  }

  /** The oracle of an accepted PATCH: exactly the fields sent changed, the answer is the row. */
  function expectAppliedExactly(
    before: MembershipEntity,
    after: MembershipEntity,
    sent: Record<string, unknown>,
    response: Response,
  ) {
    // Not structuredClone: under Jest it makes objects of Node's own realm, which
    // isDeepStrictEqual never finds equal to the test's, so a no-op would count as a change.
    const current = project(before);
    const expected: Projection = { ...current, permissions: { ...current.permissions } };
    for (const [key, value] of Object.entries(sent)) {
      if (key === 'permissions') {
        const permissions = value as Projection['permissions'];
        expected.permissions = {
          group: permissions.group,
          read: sortedIds(permissions.read),
          manage: sortedIds(permissions.manage),
        };
      } else {
        // Names are stored in NFC (DESIGN 7).
        (expected as unknown as Record<string, unknown>)[key] =
          typeof value === 'string' ? value.normalize('NFC') : value;
      }
    }
    expect(project(after)).toEqual(expected);
    const changed = !isDeepStrictEqual(project(before), expected);
    if (changed) {
      expect(after.version).toBe(before.version + 1);
      const fixed = (row: MembershipEntity) => ({
        id: row.id,
        userId: row.userId,
        organizationId: row.organizationId,
        createdAt: row.createdAt,
        deletedAt: row.deletedAt,
      });
      expect(fixed(after)).toEqual(fixed(before));
    } else {
      // A no-op writes nothing: not even updatedAt or the version.
      expect(after).toEqual(before);
    }
    expect(response.body).toEqual({ data: view(after) });
    expect(response.headers.etag).toBe(`"m${after.id}.v${after.version}"`);
  }

  it(
    'generated bodies, valid and invalid, from every kind of caller',
    async () => {
      const tally = new Tally();
      const actors: Actor[] = ['admin', 'manager', 'reader', 'plain'];
      await fc.assert(
        fc.asyncProperty(
          bodyArbitrary(team),
          fc.constantFrom(...actors),
          fc.boolean(),
          async (body, actor, viaMe) => {
            await resetTarget();
            const text = JSON.stringify(body);
            const sent: unknown = JSON.parse(text);
            const path =
              actor === 'plain' && viaMe ? `${USERS}/me` : `${USERS}/${team.plain.userId}`;
            const before = await targetRow();
            const others = (await memberships()).filter((row) => row.id !== before.id);
            const response = await t
              .http()
              .patch(path)
              .set(sessions[actor])
              .set('content-type', 'application/json')
              .send(text);
            tally.add(response.status);
            expect(responseViolations(response)).toEqual([]);
            const after = await targetRow();
            if (response.status === 200) {
              expectAppliedExactly(before, after, sent as Record<string, unknown>, response);
            } else {
              expect(after).toEqual(before);
            }
            expect((await memberships()).filter((row) => row.id !== before.id)).toEqual(others);
          },
        ),
        PARAMETERS,
      );
      expect(tally.accepted).toBeGreaterThan(0);
      expect(tally.refused).toBeGreaterThan(0);
    },
    TIMEOUT_MS,
  );

  it(
    'names with emoji, lone surrogates, NUL and control characters: refused, or stored exactly in NFC',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          awkwardName,
          fc.constantFrom<'firstName' | 'lastName'>('firstName', 'lastName'),
          async (name, field) => {
            await resetTarget();
            const before = await targetRow();
            const response = await t
              .http()
              .patch(`${USERS}/me`)
              .set(sessions.plain)
              .set('content-type', 'application/json')
              .send(JSON.stringify({ [field]: name }));
            expect(responseViolations(response)).toEqual([]);
            const after = await targetRow();
            if (response.status === 200) {
              // What was accepted is what is stored and what is read back, code unit for code
              // unit, in NFC (DESIGN 7): a compatibility ideograph such as U+F900 reads back as
              // its canonical twin.
              expectAppliedExactly(before, after, { [field]: name }, response);
              const read = await t.http().get(`${USERS}/me`).set(sessions.plain);
              expect(read.body.data[field]).toBe(name.normalize('NFC'));
            } else {
              expect(response.status).toBe(400);
              expect(after).toEqual(before);
            }
          },
        ),
        PARAMETERS,
      );
    },
    TIMEOUT_MS,
  );

  it(
    'generated path ids: arbitrary strings, URL-encoded, raw percent-encoded bytes, numbers at the edges',
    async () => {
      const tally = new Tally();
      const memberIds = [team.admin, team.manager, team.reader, team.plain, team.secondAdmin!].map(
        (member) => member.userId,
      );
      const numeric = fc.oneof(
        fc.constantFrom(...memberIds),
        fc.integer(),
        fc.constantFrom(MAX_SAFE, MIN_SAFE, MAX_SAFE + 1, MIN_SAFE - 1, 0, -0, 4, 5),
      );
      const pathId = fc.oneof(
        { weight: 3, arbitrary: numeric.map((id) => String(id)) },
        {
          weight: 2,
          arbitrary: fc
            .tuple(
              fc.constantFrom(...memberIds),
              fc.constantFrom('+', '0', '00', '-', '%20', '%2B', '%30', '%00'),
              fc.boolean(),
            )
            .map(([id, affix, before]) => (before ? `${affix}${id}` : `${id}${affix}`)),
        },
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            'me',
            'ME',
            'Me',
            'me%00',
            '%6De',
            'me.',
            '.',
            '..',
            '%2e%2e',
            '%2F',
            'null',
            'undefined',
            '1e3',
            '0x10',
            '1.0',
            'Infinity',
            'NaN',
          ),
        },
        {
          weight: 3,
          arbitrary: fc
            .string({ unit: 'grapheme', maxLength: 24 })
            .map((id) => encodeURIComponent(id)),
        },
        {
          weight: 2,
          arbitrary: fc
            .array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 12 })
            .map((bytes) => bytes.map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('')),
        },
        { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9._~!$&'()*+,;=:@%-]{1,40}$/) },
      );
      let counter = 0;
      await fc.assert(
        fc.asyncProperty(pathId, fc.constantFrom('GET', 'PATCH'), async (id, method) => {
          const before = await memberships();
          const lastName = `Path${++counter}`;
          const request =
            method === 'GET'
              ? t.http().get(`${USERS}/${id}`).set(sessions.admin)
              : t.http().patch(`${USERS}/${id}`).set(sessions.admin).send({ lastName });
          const response = await request;
          tally.add(response.status);
          expect(responseViolations(response)).toEqual([]);
          const after = await memberships();
          if (method === 'PATCH' && response.status === 200) {
            const userId = response.body.data.userId as number;
            expect(memberIds).toContain(userId);
            const changed = after.filter((row, index) => !isDeepStrictEqual(row, before[index]));
            expect(changed.map((row) => [row.userId, row.organizationId, row.lastName])).toEqual([
              [userId, team.organizationId, lastName],
            ]);
          } else {
            expect(after).toEqual(before);
          }
        }),
        PARAMETERS,
      );
      expect(tally.accepted).toBeGreaterThan(0);
      expect(tally.statuses.get(400) ?? 0).toBeGreaterThan(0);
    },
    TIMEOUT_MS,
  );

  it(
    'generated header values: content types, If-Match junk, token junk',
    async () => {
      const tally = new Tally();
      const jsonTypes = [
        'application/json',
        'application/json; charset=utf-8',
        'application/json;charset=UTF-8',
      ];
      const contentType = fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(...jsonTypes) },
        {
          weight: 3,
          arbitrary: fc.constantFrom(
            'APPLICATION/JSON',
            'application/json; charset=latin1',
            'application/json; charset=utf-16',
            'application/json; charset="utf-8"',
            'application/json; boundary=x',
            'application/merge-patch+json',
            'application/json-patch+json',
            'text/json',
            'text/plain',
            'application/x-www-form-urlencoded',
            'multipart/form-data; boundary=x',
            'application/*',
            '*/*',
            'application/json, text/plain',
            'json',
            ';',
            '',
          ),
        },
        { weight: 2, arbitrary: headerText(40) },
      );
      const ifMatch = fc.option(
        fc.oneof(
          fc.constantFrom(
            'CURRENT',
            'STALE',
            '*',
            '"m1.v1"',
            'W/"m1.v1"',
            '""',
            '"',
            ',',
            '*, "x"',
            'W/',
            ' * ',
          ),
          headerText(60),
        ),
        { freq: 3 },
      );
      const sessionToken = fc.oneof(
        { weight: 4, arbitrary: fc.constant('VALID') },
        { weight: 2, arbitrary: fc.nat().map((position) => `MUTATE:${position}`) },
        {
          weight: 2,
          arbitrary: fc
            .tuple(base64urlText(40), base64urlText(80), base64urlText(43))
            .map((parts) => `eyJ${parts.join('.')}`),
        },
        { weight: 2, arbitrary: headerText(80) },
      );
      const authorization = fc.oneof(
        { weight: 5, arbitrary: fc.constant('VALID') },
        { weight: 1, arbitrary: headerText(80).map((junk) => `Bearer ${junk}`) },
        { weight: 1, arbitrary: headerText(80) },
      );
      let counter = 0;
      await fc.assert(
        fc.asyncProperty(
          contentType,
          ifMatch,
          sessionToken,
          authorization,
          async (type, match, session, bearer) => {
            await resetTarget();
            const before = await targetRow();
            const currentEtag = `"m${before.id}.v${before.version}"`;
            const valid = sessions.plain;
            const headers: Headers = {
              Authorization: bearer === 'VALID' ? valid.Authorization : bearer,
              'x-session-token': session === 'VALID' ? valid['x-session-token'] : session,
              'content-type': type,
            };
            if (session.startsWith('MUTATE:')) {
              const token = valid['x-session-token'];
              const position = Number(session.slice('MUTATE:'.length)) % token.length;
              const replacement = token[position] === 'A' ? 'B' : 'A';
              headers['x-session-token'] =
                token.slice(0, position) + replacement + token.slice(position + 1);
            }
            if (match !== null) {
              headers['If-Match'] =
                match === 'CURRENT'
                  ? currentEtag
                  : match === 'STALE'
                    ? `"m${before.id}.v${before.version - 1}"`
                    : match;
            }
            const firstName = `Header${++counter}`;
            const response = await t
              .http()
              .patch(`${USERS}/me`)
              .set(headers)
              .send(JSON.stringify({ firstName }));
            tally.add(response.status);
            expect(responseViolations(response)).toEqual([]);
            const after = await targetRow();
            if (response.status === 200) {
              expectAppliedExactly(before, after, { firstName }, response);
            } else {
              expect(after).toEqual(before);
            }
            const fullyValid =
              bearer === 'VALID' &&
              session === 'VALID' &&
              jsonTypes.includes(type) &&
              (match === null || match === 'CURRENT' || match.trim() === '*');
            if (fullyValid) expect(response.status).toBe(200);
          },
        ),
        {
          ...(PARAMETERS as fc.Parameters<[string, string | null, string, string]>),
          // A fully valid request is about 1 draw in 20: without these, a run of 60 sometimes
          // drew none, and the counts below would say nothing about the valid path.
          examples: [
            ['application/json', null, 'VALID', 'VALID'],
            ['application/json', 'CURRENT', 'VALID', 'VALID'],
            ['text/plain', null, 'VALID', 'VALID'],
          ],
        },
      );
      expect(tally.accepted).toBeGreaterThan(0);
      expect(tally.refused).toBeGreaterThan(0);
    },
    TIMEOUT_MS,
  );

  it(
    'a forged or foreign bearer never reaches the database, whatever the body',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          bodyArbitrary(team),
          fc.constantFrom('unknown', 'other-secret', 'expired', 'other-member'),
          async (body, kind) => {
            const before = await memberships();
            const token =
              kind === 'unknown'
                ? bearerToken(`nobody-${Math.random().toString(36).slice(2)}`)
                : kind === 'other-secret'
                  ? bearerToken(team.plain.subject, {
                      secret: 'another-secret-0123456789abcdef0123456789',
                    })
                  : kind === 'expired'
                    ? bearerToken(team.plain.subject, { expiresIn: -10 })
                    : bearerToken(team.manager.subject);
            const response = await t
              .http()
              .patch(`${USERS}/${team.plain.userId}`)
              .set({ ...sessions.plain, Authorization: `Bearer ${token}` })
              .set('content-type', 'application/json')
              .send(JSON.stringify(body));
            expect(responseViolations(response)).toEqual([]);
            // A body that is not even a JSON object or array is refused by the parser first.
            const structured = typeof body === 'object' && body !== null;
            expect(structured ? [401] : [400, 401]).toContain(response.status);
            expect(await memberships()).toEqual(before);
          },
        ),
        PARAMETERS,
      );
    },
    TIMEOUT_MS,
  );

  const mostly = <T, U>(valid: fc.Arbitrary<T>, other: fc.Arbitrary<U>) =>
    fc.oneof({ weight: 6, arbitrary: valid }, { weight: 1, arbitrary: other });

  /** The statuses an invitation request may answer (DESIGN 8b), besides 2xx. */
  const INVITATION_STATUSES = [400, 401, 404, 409, 410, 413, 415, 422];
  const invitations = () =>
    t.dataSource
      .getRepository(InvitationEntity)
      .find({ where: { organizationId: team.organizationId }, order: { id: 'ASC' } });

  it(
    'generated invitations: refused and nothing stored, or stored exactly as sent',
    async () => {
      const tally = new Tally();
      const permissions = permissionArbitraries(team);
      let counter = 0;
      const email = fc.oneof(
        { weight: 4, arbitrary: fc.constant('VALID') },
        {
          weight: 3,
          arbitrary: fc.constantFrom(
            'no-at-sign',
            '@example.com',
            'x@localhost',
            'x@cörp.example',
            'Ünïcode@Exämple.com',
            ' spaced@example.com ',
            `${'a'.repeat(320)}@example.com`,
            'a@b.c',
            null,
            42,
            ['x@example.com'],
          ),
        },
        { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
      );
      const body = fc
        .tuple(
          email,
          fc.record(
            {
              // Mostly valid values, so that a run accepts some invitations too.
              scope: mostly(validScope, invalidScope),
              firstName: mostly(validName, invalidName),
              lastName: mostly(validName, invalidName),
              professionId: mostly(validProfession, otherProfession),
              permissions: mostly(permissions.valid, permissions.any),
              expiresInSeconds: mostly(
                fc.integer({ min: 60, max: 30 * 24 * 3600 }),
                fc.constantFrom(0, 59, 30 * 24 * 3600 + 1, '3600', 1.5, null, -60),
              ),
            },
            { requiredKeys: ['scope', 'firstName', 'lastName'] },
          ),
          mostly(
            fc.constant(null),
            fc.tuple(fc.constantFrom(...EXTRA_KEYS, 'token'), fc.jsonValue({ maxDepth: 1 })),
          ),
        )
        .map(([address, fields, extra]) => ({
          ...(address === 'VALID'
            ? { email: `fuzz.${(counter += 1)}@invited.example` }
            : { email: address }),
          ...fields,
          ...(extra === null ? {} : { [extra[0]]: extra[1] }),
        }));
      await fc.assert(
        fc.asyncProperty(body, async (sent) => {
          const before = await invitations();
          const response = await t
            .http()
            .post(INVITATIONS)
            .set(sessions.admin)
            .set('content-type', 'application/json')
            .send(JSON.stringify(sent));
          tally.add(response.status === 201 ? 200 : response.status);
          const after = await invitations();
          if (response.status === 201) {
            const stored = after[after.length - 1];
            const fields = sent as Record<string, unknown>;
            expect(after).toHaveLength(before.length + 1);
            expect(stored).toMatchObject({
              email: String(fields.email).trim(),
              scope: fields.scope,
              firstName: String(fields.firstName).normalize('NFC'),
              lastName: String(fields.lastName).normalize('NFC'),
              professionId: fields.professionId ?? null,
            });
            expect(response.body.data.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
          } else {
            expect(response.status).toBeLessThan(500);
            expect(INVITATION_STATUSES).toContain(response.status);
            expect(problemViolations(response)).toEqual([]);
            expect(after).toEqual(before);
          }
        }),
        {
          ...(PARAMETERS as fc.Parameters<[Record<string, unknown>]>),
          // A valid one for certain: a run must also see the accepted path.
          examples: [
            [
              {
                email: 'fuzz.example@invited.example',
                scope: 2,
                firstName: 'Ex',
                lastName: 'Ample',
              },
            ],
          ],
        },
      );
      expect(tally.accepted).toBeGreaterThan(0);
      expect(tally.refused).toBeGreaterThan(0);
    },
    TIMEOUT_MS,
  );

  it(
    'generated invitation tokens and ids: never accepted, never a 5xx, nothing changed',
    async () => {
      const token = fc.oneof(
        fc.string({ maxLength: 120 }),
        fc.tuple(fc.integer(), base64urlText(43)).map(([id, secret]) => `${id}.${secret}`),
        fc.jsonValue({ maxDepth: 2 }),
      );
      const id = fc.oneof(
        fc.integer().map(String),
        fc.string({ maxLength: 20 }).map((text) => encodeURIComponent(text)),
      );
      await fc.assert(
        fc.asyncProperty(token, id, async (guess, invitationId) => {
          const before = await memberships();
          const bearer = verifiedBearer(team.plain.subject, 'guesser@invited.example');
          const byToken = await acceptByToken(t, bearer, guess as string);
          const byId = await acceptById(t, bearer, invitationId as unknown as number);
          for (const response of [byToken, byId]) {
            expect(response.status).toBeLessThan(500);
            expect(INVITATION_STATUSES).toContain(response.status);
            expect(problemViolations(response)).toEqual([]);
          }
          expect(await memberships()).toEqual(before);
        }),
        PARAMETERS,
      );
    },
    TIMEOUT_MS,
  );
});
