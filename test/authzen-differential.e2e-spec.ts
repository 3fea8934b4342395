import { Scope } from '../src/users-organizations/entities/membership.entity';
import { ENGINES } from './support/databases';
import { createGroup, createMember, createOrganization } from './support/factories';
import { DENIALS, LOG_GUARD } from './support/log-guard';
import { asService, SVC } from './support/service';
import { NO_RATE_LIMITS, startTestApp, TestApp } from './support/test-app';
import { bearerToken } from './support/tokens';

// The rs routes log every refusal they answer: here they are half of what is asked.
LOG_GUARD.allowInFile(DENIALS);

const EVALUATION = `${SVC}/access/v1/evaluation`;
const USERS = '/users-organizations/v1/rs/users';
const CHECKER = asService('differential', 'authz:check');
const SEED = Number(process.env.DIFFERENTIAL_SEED ?? Date.now() % 1_000_000);

/** mulberry32: a small seeded generator, so a failing organization can be made again. */
function generator(seed: number) {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let value = Math.imul(state ^ (state >>> 15), 1 | state);
    value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value;
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

interface Generated {
  userId: number;
  subject: string;
  scope: Scope;
  group: number | null;
  read: number[];
  manage: number[];
  removed: boolean;
  firstName: string;
}

/**
 * The decision point and the `rs` routes are one set of rules (DESIGN 14): on a generated
 * organization, every ordered pair of members is asked both ways, and the reason is checked
 * against DESIGN 6's rules written out here independently.
 */
describe.each(ENGINES)('decisions agree with the rs routes on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(engine, { env: NO_RATE_LIMITS, demo: false });
  });
  afterAll(() => t.close());

  it(`on a generated organization (seed ${SEED}, DIFFERENTIAL_SEED to repeat)`, async () => {
    const random = generator(SEED + (engine === 'sqlite' ? 1 : 0));
    const pick = <T>(values: T[]) => values.filter(() => random() < 0.4);
    const organizationId = await createOrganization(t.dataSource, 'Differential');
    const groups: number[] = [];
    for (const name of ['A', 'B', 'C', 'D'])
      groups.push(await createGroup(t.dataSource, organizationId, name));
    const members: Generated[] = [];
    for (let index = 0; index < 10; index++) {
      const scope = index === 0 || random() < 0.2 ? Scope.Administrator : Scope.Member;
      const group = random() < 0.8 ? groups[Math.floor(random() * groups.length)] : null;
      const removed = index >= 8;
      const firstName = `First${index}`;
      const read = pick(groups);
      const manage = pick(groups);
      const created = await createMember(t.dataSource, {
        organizationId,
        scope,
        group,
        read,
        manage,
        deleted: removed,
        firstName,
      });
      members.push({ ...created, scope, group, read, manage, removed, firstName });
    }
    const sessions = new Map<number, Record<string, string>>();
    for (const caller of members.filter((member) => !member.removed)) {
      sessions.set(caller.userId, await t.login(caller.subject, organizationId));
    }

    const expectedReason = (
      caller: Generated,
      target: Generated,
      act: 'read' | 'update_profile',
    ) => {
      if (caller.removed) return 'NOT_A_MEMBER';
      if (target.removed) return 'TARGET_NOT_FOUND';
      if (caller.userId === target.userId) return 'SELF';
      if (caller.scope === Scope.Administrator) return 'ADMINISTRATOR';
      if (target.group !== null && caller.manage.includes(target.group)) return 'MANAGES_GROUP';
      if (act === 'read' && target.group !== null && caller.read.includes(target.group)) {
        return 'READS_GROUP';
      }
      return 'NOT_ALLOWED';
    };
    const ALLOWING = ['SELF', 'ADMINISTRATOR', 'MANAGES_GROUP', 'READS_GROUP'];

    let pairs = 0;
    for (const caller of members) {
      for (const target of members) {
        for (const act of ['read', 'update_profile'] as const) {
          const asked = await t
            .http()
            .post(EVALUATION)
            .set(CHECKER)
            .send({
              subject: { type: 'user_id', id: String(caller.userId) },
              resource: {
                type: 'member',
                id: String(target.userId),
                properties: { organizationId },
              },
              action: { name: act },
            })
            .expect(200);
          const reason = expectedReason(caller, target, act);
          const where = `${act} by ${caller.userId} on ${target.userId} (seed ${SEED})`;
          expect({ where, body: asked.body }).toEqual({
            where,
            body: { decision: ALLOWING.includes(reason), context: { reason } },
          });

          const headers = sessions.get(caller.userId);
          if (headers === undefined) {
            // A removed member cannot act at all: no session opens for it.
            const refused = await t
              .http()
              .post('/users-organizations/v1/rs/sessions')
              .set({ Authorization: `Bearer ${bearerToken(caller.subject)}` })
              .send({ organizationId });
            expect({ where, status: refused.status }).toEqual({ where, status: 403 });
            continue;
          }
          const url = `${USERS}/${target.userId}`;
          const done =
            act === 'read'
              ? await t.http().get(url).set(headers)
              : await t
                  .http()
                  .patch(url)
                  .set(headers)
                  .send({ firstName: `Changed by ${caller.userId}` });
          expect({ where, allowed: done.status === 200 }).toEqual({
            where,
            allowed: asked.body.decision,
          });
          expect([200, 403, 404]).toContain(done.status);
          if (act === 'update_profile' && done.status === 200) {
            await t
              .http()
              .patch(url)
              .set(headers)
              .send({ firstName: target.firstName })
              .expect(200);
          }
          pairs++;
        }
      }
    }
    expect(pairs).toBe(8 * 10 * 2);
  });
});
