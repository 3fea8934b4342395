import { Scope, MembershipEntity } from '../src/users-organizations/entities/membership.entity';
import { createTestDatabase, ENGINES, TestDatabase } from './support/databases';
import { createMember, createOrganization } from './support/factories';
import { secondInstance, startTestApp, TestApp } from './support/test-app';
import { DENIALS, LOG_GUARD } from './support/log-guard';

// This file's requests are refused on purpose: the denials' log lines are expected.
LOG_GUARD.allowInFile(DENIALS);

const USERS = '/users-organizations/v1/rs/users';
const ROUNDS = 12;

/**
 * Two app instances on one database, as two replicas behind a balancer. The last-administrator
 * invariant must hold when two demotions race, which a count outside a lock would not ensure.
 *
 * On SQLite the two "instances" are one: the embedded database serves a single process, and two
 * better-sqlite3 connections in one process block each other synchronously (busy_timeout stalls
 * the event loop that would let the other commit). There the race runs through one app's
 * transaction queue.
 */
describe.each(ENGINES)('the last-administrator race across two instances on %s', (engine) => {
  let database: TestDatabase;
  let first: TestApp;
  let second: TestApp;

  beforeAll(async () => {
    database = await createTestDatabase(engine);
    first = await startTestApp(engine, { databaseUrl: database.url });
    second = engine === 'mariadb' ? await secondInstance(first) : first;
  });
  afterAll(async () => {
    if (second !== first) await second?.close();
    await first?.close();
    await database?.drop();
  });

  const activeAdministrators = (organizationId: number) =>
    first.dataSource.getRepository(MembershipEntity).countBy({
      organizationId,
      scope: Scope.Administrator,
    });

  it(`keeps one administrator when two demote each other at once (${ROUNDS} rounds)`, async () => {
    const outcomes: number[][] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const organizationId = await createOrganization(first.dataSource, `Race ${round}`);
      const a = await createMember(first.dataSource, {
        organizationId,
        scope: Scope.Administrator,
      });
      const b = await createMember(first.dataSource, {
        organizationId,
        scope: Scope.Administrator,
      });
      const asA = await first.login(a.subject, organizationId);
      const asB = await second.login(b.subject, organizationId);

      const [byA, byB] = await Promise.all([
        first.http().patch(`${USERS}/${b.userId}`).set(asA).send({ scope: 2 }),
        second.http().patch(`${USERS}/${a.userId}`).set(asB).send({ scope: 2 }),
      ]);
      const statuses = [byA.status, byB.status].sort();
      outcomes.push(statuses);
      expect(await activeAdministrators(organizationId)).toBe(1);
      // One demotion wins; the other is refused as the last administrator (or, if its caller
      // was demoted first, as no longer an administrator). Never two winners, never a 5xx.
      expect(statuses[0]).toBe(200);
      expect([403, 409]).toContain(statuses[1]);
    }
    expect(outcomes).toHaveLength(ROUNDS);
  });

  it(`keeps one administrator when both demote themselves at once (${ROUNDS} rounds)`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const organizationId = await createOrganization(first.dataSource, `Self race ${round}`);
      const a = await createMember(first.dataSource, {
        organizationId,
        scope: Scope.Administrator,
      });
      const b = await createMember(first.dataSource, {
        organizationId,
        scope: Scope.Administrator,
      });
      const asA = await first.login(a.subject, organizationId);
      const asB = await second.login(b.subject, organizationId);

      const responses = await Promise.all([
        first.http().patch(`${USERS}/me`).set(asA).send({ scope: 2 }),
        second.http().patch(`${USERS}/me`).set(asB).send({ scope: 2 }),
      ]);
      expect(responses.map((response) => response.status).sort()).toEqual([200, 409]);
      expect(responses.find((response) => response.status === 409)?.body.code).toBe('LAST_ADMIN');
      expect(await activeAdministrators(organizationId)).toBe(1);
    }
  });

  it('never mixes two concurrent profile updates of one member', async () => {
    const organizationId = await createOrganization(first.dataSource, 'Mix');
    const admin = await createMember(first.dataSource, {
      organizationId,
      scope: Scope.Administrator,
    });
    const target = await createMember(first.dataSource, { organizationId });
    const viaFirst = await first.login(admin.subject, organizationId);
    const viaSecond = await second.login(admin.subject, organizationId);
    const bodies = Array.from({ length: 10 }, (_, i) => ({
      firstName: `First${i}`,
      lastName: `Last${i}`,
    }));
    const responses = await Promise.all(
      bodies.map((body, i) =>
        (i % 2 === 0 ? first : second)
          .http()
          .patch(`${USERS}/${target.userId}`)
          .set(i % 2 === 0 ? viaFirst : viaSecond)
          .send(body),
      ),
    );
    expect(responses.map((response) => [response.status, response.body.code])).toEqual(
      bodies.map(() => [200, undefined]),
    );
    const stored = await first.dataSource
      .getRepository(MembershipEntity)
      .findOneByOrFail({ userId: target.userId, organizationId });
    expect(bodies).toContainEqual({ firstName: stored.firstName, lastName: stored.lastName });
    expect(stored.version).toBe(1 + bodies.length);
  });
});
