import type { Response } from 'supertest';
import { MembershipEntity, Scope } from '../src/users-organizations/entities/membership.entity';
import { createTestDatabase, TestDatabase } from './support/databases';
import {
  createMember,
  createOrganization,
  membershipRow,
  membershipState,
  sortedIds,
} from './support/factories';
import { createTeam, Team } from './support/organization';
import { problemViolations } from './support/problem';
import { NO_RATE_LIMITS, secondInstance, startTestApp, TestApp } from './support/test-app';
import { DENIALS, LOG_GUARD } from './support/log-guard';

// This file's requests are refused on purpose: the denials' log lines are expected.
LOG_GUARD.allowInFile(DENIALS);

/**
 * Integrity under concurrency (issue 4, part 5): two app instances on one MariaDB database, as
 * two replicas behind a balancer, hammering one membership at once.
 * - Concurrent full updates: the final row is exactly one request's payload, never a mix, and
 *   the version grew by exactly the number of 200s.
 * - With If-Match, no update is lost: each 200 applied on top of exactly the state it read.
 * - The last-administrator race, repeated, never leaves an organization without one.
 */

const USERS = '/users-organizations/v1/rs/users';
const ME = `${USERS}/me`;
/** Lock conflicts are retried, then answered 409 or 503 (DESIGN 7, issue 4): never a 500. */
const TRANSIENT = [409, 503];

type Headers = Record<string, string>;

interface Payload {
  firstName: string;
  lastName: string;
  professionId: number | null;
  scope: Scope;
  permissions: { group: number | null; read: number[]; manage: number[] };
}

/** The stored state in the payload's shape, permissions as stored (sorted). */
const stateOf: (row: MembershipEntity) => Payload = membershipState;

const normalized = (payload: Payload): Payload => ({
  ...payload,
  permissions: {
    group: payload.permissions.group,
    read: sortedIds(payload.permissions.read),
    manage: sortedIds(payload.permissions.manage),
  },
});

/** The version an ETag names: `"m<id>.v<version>"`. */
function versionOf(etag: unknown): number {
  const match = /^"m\d+\.v(\d+)"$/.exec(String(etag));
  if (!match) throw new Error(`Not a membership ETag: ${String(etag)}`);
  return Number(match[1]);
}

function expectNoServerError(responses: Response[], allowed: number[]) {
  const unexpected = responses
    .filter((response) => !allowed.includes(response.status))
    .map((response) => ({ status: response.status, body: response.text }));
  expect(unexpected).toEqual([]);
  for (const response of responses.filter((response) => response.status >= 400)) {
    expect(problemViolations(response)).toEqual([]);
  }
}

describe('integrity under concurrency: two instances on one mariadb database', () => {
  let database: TestDatabase;
  let first: TestApp;
  let second: TestApp;

  beforeAll(async () => {
    database = await createTestDatabase('mariadb');
    first = await startTestApp('mariadb', { databaseUrl: database.url, env: NO_RATE_LIMITS });
    second = await secondInstance(first, { env: NO_RATE_LIMITS });
  });
  afterAll(async () => {
    await second?.close();
    await first?.close();
    await database?.drop();
  });

  /** An organization with two administrators, one logged in on each instance. */
  async function setUp(): Promise<{ team: Team; viaFirst: Headers; viaSecond: Headers }> {
    const team = await createTeam(first, { secondAdmin: true });
    return {
      team,
      viaFirst: await first.login(team.admin.subject, team.organizationId),
      viaSecond: await second.login(team.secondAdmin!.subject, team.organizationId),
    };
  }

  const instance = (index: number) => (index % 2 === 0 ? first : second);

  describe('(a) concurrent full updates of one membership', () => {
    const ROUNDS = 3;
    const REQUESTS = 40;

    it(`ends with exactly one payload, never a mix, and one version per 200 (${ROUNDS} rounds of ${REQUESTS})`, async () => {
      const { team, viaFirst, viaSecond } = await setUp();
      const { day, night } = team.groups;
      const target = team.plain.userId;
      for (let round = 0; round < ROUNDS; round++) {
        const payloads: Payload[] = Array.from({ length: REQUESTS }, (_, i) => ({
          firstName: `First-${round}-${i}`,
          lastName: `Last-${round}-${i}`,
          professionId: [1, 2, 3, 4, null][i % 5],
          scope: i % 2 === 0 ? Scope.Administrator : Scope.Member,
          permissions: {
            group: [null, day, night][i % 3],
            read: i % 4 < 2 ? [night, day] : [day],
            manage: [[], [day], [night], [night, day]][i % 4],
          },
        }));
        const before = await membershipRow(first.dataSource, target, team.organizationId);
        const responses = await Promise.all(
          payloads.map((payload, i) =>
            instance(i)
              .http()
              .patch(`${USERS}/${target}`)
              .set(i % 2 === 0 ? viaFirst : viaSecond)
              .send(payload),
          ),
        );
        expectNoServerError(responses, [200, ...TRANSIENT]);
        const after = await membershipRow(first.dataSource, target, team.organizationId);

        const accepted = responses
          .map((response, i) => ({ response, payload: payloads[i] }))
          .filter(({ response }) => response.status === 200);
        expect(accepted.length).toBeGreaterThan(0);
        // Every payload differs from every state, so every 200 wrote exactly one version.
        expect(after.version - before.version).toBe(accepted.length);
        const versions = accepted.map(({ response }) => versionOf(response.headers.etag));
        expect(sortedIds(versions)).toEqual(
          Array.from({ length: accepted.length }, (_, k) => before.version + 1 + k),
        );
        // Each 200 answered with its own payload applied whole.
        for (const { response, payload } of accepted) {
          expect(response.body.data).toMatchObject(normalized(payload));
        }
        // The row is the payload of the last committed update, field for field.
        const last = accepted.reduce((latest, candidate) =>
          versionOf(candidate.response.headers.etag) > versionOf(latest.response.headers.etag)
            ? candidate
            : latest,
        );
        expect(stateOf(after)).toEqual(normalized(last.payload));
        expect(payloads.filter((payload) => payload.firstName === after.firstName)).toHaveLength(1);
        // Both instances read that same state.
        for (const [app, headers] of [
          [first, viaFirst],
          [second, viaSecond],
        ] as const) {
          const read = await app.http().get(`${USERS}/${target}`).set(headers).expect(200);
          expect(read.body.data).toMatchObject(stateOf(after));
          expect(versionOf(read.headers.etag)).toBe(after.version);
        }
      }
    });
  });

  describe('(b) If-Match: no update is lost', () => {
    it('each client reads the ETag then patches with If-Match: 200s equal version increments, the rest 412 (3 rounds of 20)', async () => {
      const { team, viaFirst, viaSecond } = await setUp();
      const target = team.plain.userId;
      for (let round = 0; round < 3; round++) {
        const before = await membershipRow(first.dataSource, target, team.organizationId);
        const clients = Array.from({ length: 20 }, (_, i) => ({
          app: instance(i),
          headers: i % 2 === 0 ? viaFirst : viaSecond,
          payload: { firstName: `Match-${round}-${i}`, lastName: `Client-${round}-${i}` },
        }));
        const outcomes = await Promise.all(
          clients.map(async ({ app, headers, payload }) => {
            const read = await app.http().get(`${USERS}/${target}`).set(headers).expect(200);
            const etag = read.headers.etag;
            const response = await app
              .http()
              .patch(`${USERS}/${target}`)
              .set(headers)
              .set('If-Match', etag)
              .send(payload);
            return { etag, response, payload };
          }),
        );
        const responses = outcomes.map(({ response }) => response);
        expectNoServerError(responses, [200, 412]);
        for (const response of responses.filter((response) => response.status === 412)) {
          expect(response.body.code).toBe('PRECONDITION_FAILED');
        }
        const accepted = outcomes.filter(({ response }) => response.status === 200);
        expect(accepted.length).toBeGreaterThan(0);
        const after = await membershipRow(first.dataSource, target, team.organizationId);
        expect(after.version - before.version).toBe(accepted.length);
        // No lost update: every accepted write applied on top of exactly the version it read.
        for (const { etag, response } of accepted) {
          expect(versionOf(response.headers.etag)).toBe(versionOf(etag) + 1);
        }
        const last = accepted.reduce((latest, candidate) =>
          versionOf(candidate.response.headers.etag) > versionOf(latest.response.headers.etag)
            ? candidate
            : latest,
        );
        expect({ firstName: after.firstName, lastName: after.lastName }).toEqual(last.payload);
        expect(versionOf(last.response.headers.etag)).toBe(after.version);
      }
    });

    it('read-modify-write increments with If-Match and retry on 412 lose nothing (8 clients x 3 increments)', async () => {
      const { team, viaFirst, viaSecond } = await setUp();
      const CLIENTS = 8;
      const INCREMENTS = 3;
      const MAX_ATTEMPTS = 200;
      // The counter lives in the target's lastName; each client increments it.
      const target = team.plain.userId;
      await first
        .http()
        .patch(`${USERS}/${target}`)
        .set(viaFirst)
        .send({ lastName: '0' })
        .expect(200);
      const before = await membershipRow(first.dataSource, target, team.organizationId);
      const written: number[] = [];
      const refused: Response[] = [];
      await Promise.all(
        Array.from({ length: CLIENTS }, async (_, client) => {
          const app = instance(client);
          const headers = client % 2 === 0 ? viaFirst : viaSecond;
          for (let done = 0, attempts = 0; done < INCREMENTS; attempts++) {
            if (attempts >= MAX_ATTEMPTS) throw new Error(`client ${client} starved`);
            const read = await app.http().get(`${USERS}/${target}`).set(headers).expect(200);
            const next = Number(read.body.data.lastName) + 1;
            const response = await app
              .http()
              .patch(`${USERS}/${target}`)
              .set(headers)
              .set('If-Match', read.headers.etag)
              .send({ lastName: String(next) });
            if (response.status === 200) {
              written.push(next);
              done++;
            } else {
              refused.push(response);
            }
          }
        }),
      );
      expectNoServerError(refused, [412, ...TRANSIENT]);
      const total = CLIENTS * INCREMENTS;
      // Every increment wrote a distinct value: 1, 2, ..., total. A lost update would repeat one.
      expect(sortedIds(written)).toEqual(Array.from({ length: total }, (_, k) => k + 1));
      const after = await membershipRow(first.dataSource, target, team.organizationId);
      expect(after.lastName).toBe(String(total));
      expect(after.version - before.version).toBe(total);
    });
  });

  describe('(c) the last-administrator race', () => {
    interface Admin {
      userId: number;
      subject: string;
      app: TestApp;
      headers: Headers;
    }
    interface Operation {
      by: Admin;
      target: number;
      kind: 'demote' | 'delete';
    }

    const ROUNDS = 50;

    const activeAdministrators = async (organizationId: number) =>
      (
        await first.dataSource
          .getRepository(MembershipEntity)
          .find({ where: { organizationId, scope: Scope.Administrator } })
      )
        .filter((row) => row.deletedAt === null)
        .map((row) => row.userId)
        .sort((left, right) => left - right);

    it(`never leaves an organization without an administrator (${ROUNDS} rounds, demotions and deletions on both instances)`, async () => {
      const summary = new Map<string, number>();
      for (let round = 0; round < ROUNDS; round++) {
        const organizationId = await createOrganization(first.dataSource, `Race ${round}`);
        const count = round % 4 === 3 ? 3 : 2;
        const admins: Admin[] = [];
        for (let index = 0; index < count; index++) {
          const member = await createMember(first.dataSource, {
            organizationId,
            scope: Scope.Administrator,
          });
          const app = instance(index);
          admins.push({ ...member, app, headers: await app.login(member.subject, organizationId) });
        }
        const [a, b] = admins;
        const operations: Operation[] =
          round % 4 === 0
            ? [
                { by: a, target: b.userId, kind: 'demote' },
                { by: b, target: a.userId, kind: 'demote' },
              ]
            : round % 4 === 1
              ? [
                  { by: a, target: a.userId, kind: 'demote' },
                  { by: b, target: b.userId, kind: 'demote' },
                ]
              : round % 4 === 2
                ? [
                    { by: a, target: b.userId, kind: 'delete' },
                    { by: b, target: a.userId, kind: 'demote' },
                  ]
                : admins.flatMap((admin, index) => [
                    { by: admin, target: admin.userId, kind: 'demote' as const },
                    {
                      by: admin,
                      target: admins[(index + 1) % count].userId,
                      kind: 'delete' as const,
                    },
                  ]);
        const initial = await activeAdministrators(organizationId);
        const responses = await Promise.all(
          operations.map(({ by, target, kind }) => {
            const path = target === by.userId && kind === 'demote' ? ME : `${USERS}/${target}`;
            return kind === 'demote'
              ? by.app.http().patch(path).set(by.headers).send({ scope: Scope.Member })
              : by.app.http().delete(path).set(by.headers);
          }),
        );
        // 401: the caller's own membership was deleted (its sessions revoked) a moment before;
        // 403: it was demoted first; 404: the target was deleted first; 409: the last one.
        expectNoServerError(responses, [200, 204, 401, 403, 404, 409]);
        const remaining = await activeAdministrators(organizationId);
        expect(remaining.length).toBeGreaterThanOrEqual(1);
        // Every success is durable, and nothing else changed the administrators.
        const removed = new Set(
          operations
            .filter((_, index) => [200, 204].includes(responses[index].status))
            .map(({ target }) => target),
        );
        expect(remaining).toEqual(initial.filter((userId) => !removed.has(userId)));
        for (const [index, { kind }] of operations.entries()) {
          if (responses[index].status === 200) expect(responses[index].body.data.scope).toBe(2);
          const key = `${kind} ${responses[index].status}`;
          summary.set(key, (summary.get(key) ?? 0) + 1);
        }
        // The last-administrator refusals carry the stable code.
        for (const response of responses.filter((response) => response.status === 409)) {
          expect(['LAST_ADMIN', 'CONFLICT']).toContain(response.body.code);
        }
      }
      // Each pattern must have been decided by the invariant at least once, not only by luck.
      expect(summary.get('demote 409') ?? 0).toBeGreaterThan(0);
    });
  });
});
