import { OrganizationEntity } from '../src/organizations/entities/organization.entity';
import { ENGINES } from './support/databases';
import { createMember } from './support/factories';
import { sampleKey, scrape } from './support/metrics';
import { createTeam, Team } from './support/organization';
import { asService, expectProblem, SERVICE_CLIENTS, SVC } from './support/service';
import { StatementCounter } from './support/statement-counter';
import { secondInstance, startTestApp, TestApp } from './support/test-app';
import { bearerToken } from './support/tokens';

const ACCESS = `${SVC}/access/v1`;
const CHECKER = asService('operator', 'authz:check authz:search');
const CLIENTS = {
  ...SERVICE_CLIENTS,
  operator: { ...SERVICE_CLIENTS.operator, rights: ['authz:check', 'authz:search'] },
  lyon: { rights: ['authz:check'], organizations: [2] },
};

type Body = Record<string, unknown>;
const member = (userId: number, organizationId: number) => ({
  type: 'member',
  id: String(userId),
  properties: { organizationId },
});
const group = (groupId: number, organizationId: number) => ({
  type: 'group',
  id: String(groupId),
  properties: { organizationId },
});
const user = (subject: string) => ({ type: 'user', id: subject });

describe.each(ENGINES)('the AuthZEN decision point on %s', (engine) => {
  let t: TestApp;
  let team: Team;

  beforeAll(async () => {
    t = await startTestApp(engine, {
      env: { SERVICE_CLIENTS: JSON.stringify(CLIENTS), PUBLIC_BASE_URL: 'https://api.example/' },
    });
    team = await createTeam(t);
  });
  afterAll(() => t.close());

  const evaluate = (body: Body, headers = CHECKER) =>
    t.http().post(`${ACCESS}/evaluation`).set(headers).send(body);
  const decision = async (body: Body) => {
    const response = await evaluate(body).expect(200);
    return response.body as { decision: boolean; context: { reason: string } };
  };

  describe('evaluation', () => {
    it.each([
      ['alice reads bob (demo)', user('alice'), member(2, 1), 'read', true, 'ADMINISTRATOR'],
      ['bob reads himself', user('bob'), member(2, 1), 'read', true, 'SELF'],
      [
        'bob reads carol (Night; he reads Day)',
        user('bob'),
        member(3, 1),
        'read',
        false,
        'NOT_ALLOWED',
      ],
      [
        'carol updates bob (manages Day)',
        user('carol'),
        member(2, 1),
        'update_profile',
        true,
        'MANAGES_GROUP',
      ],
      [
        'carol reads the Night team (reads it)',
        user('carol'),
        group(2, 1),
        'read',
        true,
        'READS_GROUP',
      ],
      ['carol manages the Night team', user('carol'), group(2, 1), 'manage', false, 'NOT_ALLOWED'],
      [
        'bob administers organization 1',
        user('bob'),
        { type: 'organization', id: '1' },
        'administer',
        false,
        'NOT_ALLOWED',
      ],
      [
        'user 1 (alice by id) administers 1',
        { type: 'user_id', id: '1' },
        { type: 'organization', id: '1' },
        'administer',
        true,
        'ADMINISTRATOR',
      ],
      ['an unknown subject', user('nobody-at-all'), member(2, 1), 'read', false, 'NOT_A_MEMBER'],
      ['dave (Lyon) on a Paris member', user('dave'), member(2, 1), 'read', false, 'NOT_A_MEMBER'],
      [
        'an organization that does not exist',
        user('alice'),
        member(2, 999999),
        'read',
        false,
        'NOT_A_MEMBER',
      ],
      [
        'a member that does not exist',
        user('alice'),
        member(999999, 1),
        'read',
        false,
        'TARGET_NOT_FOUND',
      ],
      [
        'erin, removed from organization 1',
        user('alice'),
        member(5, 1),
        'read',
        false,
        'TARGET_NOT_FOUND',
      ],
      [
        'a group of another organization',
        user('alice'),
        group(3, 1),
        'read',
        false,
        'TARGET_NOT_FOUND',
      ],
    ])('%s', async (_label, subject, resource, name, allowed, reason) => {
      expect(await decision({ subject, resource, action: { name } })).toEqual({
        decision: allowed,
        context: { reason },
      });
    });

    it("answers NOT_A_MEMBER for an organization outside the client's entry, as for none", async () => {
      const lyon = asService('lyon', 'authz:check');
      const outside = await evaluate(
        { subject: user('alice'), resource: member(2, 1), action: { name: 'read' } },
        lyon,
      ).expect(200);
      expect(outside.body).toEqual({ decision: false, context: { reason: 'NOT_A_MEMBER' } });
      const inside = await evaluate(
        {
          subject: user('dave'),
          resource: { type: 'organization', id: '2' },
          action: { name: 'administer' },
        },
        lyon,
      ).expect(200);
      expect(inside.body.decision).toBe(true);
    });

    it('refuses an archived organization, and says when a second factor is required', async () => {
      const other = await createTeam(t);
      const ask = {
        subject: { type: 'user_id', id: String(other.admin.userId) },
        resource: member(other.plain.userId, other.organizationId),
        action: { name: 'read' },
      };
      const repository = t.dataSource.getRepository(OrganizationEntity);
      await repository.update({ id: other.organizationId }, { requireMfa: true });
      expect(await decision(ask)).toEqual({
        decision: true,
        context: { reason: 'ADMINISTRATOR', mfaRequired: true },
      });
      await repository.update({ id: other.organizationId }, { archivedAt: new Date() });
      expect((await decision(ask)).context.reason).toBe('ORGANIZATION_ARCHIVED');
    });

    it('echoes the caller’s X-Request-ID unchanged', async () => {
      const id = 'req/42:"quoted"+{braces}';
      const response = await evaluate({
        subject: user('bob'),
        resource: member(2, 1),
        action: { name: 'read' },
      })
        .set('X-Request-ID', id)
        .expect(200);
      expect(response.headers['x-request-id']).toBe(id);
    });

    it.each([
      ['no subject', { resource: member(2, 1), action: { name: 'read' } }, 'subject'],
      [
        'a subject of another type',
        { subject: { type: 'group', id: '1' }, resource: member(2, 1), action: { name: 'read' } },
        'subject.type',
      ],
      [
        'a user_id that is not an id',
        {
          subject: { type: 'user_id', id: 'bob' },
          resource: member(2, 1),
          action: { name: 'read' },
        },
        'subject.id',
      ],
      [
        'a resource id that is not an id',
        {
          subject: user('bob'),
          resource: member(2, 1) && {
            type: 'member',
            id: '2; DROP',
            properties: { organizationId: 1 },
          },
          action: { name: 'read' },
        },
        'resource.id',
      ],
      [
        'an organizationId as a string',
        {
          subject: user('bob'),
          resource: { type: 'member', id: '2', properties: { organizationId: '1' } },
          action: { name: 'read' },
        },
        'resource.properties.organizationId',
      ],
      [
        'an action of another resource type',
        { subject: user('bob'), resource: member(2, 1), action: { name: 'administer' } },
        'action.name',
      ],
      ['no action', { subject: user('bob'), resource: member(2, 1) }, 'action.name'],
    ])('is 400 for %s, naming the field', async (_label, body, field) => {
      const response = await evaluate(body);
      expectProblem(response, 400, 'VALIDATION_FAILED');
      expect((response.body.errors as { field: string }[]).map((error) => error.field)).toContain(
        field,
      );
    });

    it('needs authz:check (403 with its challenge), and a service token (401)', async () => {
      const body = { subject: user('bob'), resource: member(2, 1), action: { name: 'read' } };
      const searcher = await evaluate(body, asService('reader', 'organizations:read'));
      expectProblem(searcher, 403, 'INSUFFICIENT_SCOPE');
      expect(searcher.headers['www-authenticate']).toBe(
        'Bearer error="insufficient_scope", scope="authz:check"',
      );
      const person = await evaluate(body, { Authorization: `Bearer ${bearerToken('alice')}` });
      expectProblem(person, 401, 'TOKEN_INVALID');
    });
  });

  describe('evaluations', () => {
    const evaluations = (body: Body) =>
      t.http().post(`${ACCESS}/evaluations`).set(CHECKER).send(body);
    const reads = [member(2, 1), member(3, 1), member(1, 1)].map((resource) => ({ resource }));

    it('applies the top-level defaults, lets an entry override them, and keeps request order', async () => {
      const response = await evaluations({
        subject: user('bob'),
        action: { name: 'read' },
        evaluations: [...reads, { subject: user('alice'), resource: member(3, 1) }],
      }).expect(200);
      expect(response.body).toEqual({
        evaluations: [
          { decision: true, context: { reason: 'SELF' } },
          { decision: false, context: { reason: 'NOT_ALLOWED' } },
          { decision: true, context: { reason: 'READS_GROUP' } },
          { decision: true, context: { reason: 'ADMINISTRATOR' } },
        ],
      });
    });

    it.each([
      ['execute_all', 3],
      ['deny_on_first_deny', 2],
      ['permit_on_first_permit', 1],
    ])('%s ends at the entry that decided', async (semantic, length) => {
      const response = await evaluations({
        subject: user('bob'),
        action: { name: 'read' },
        evaluations: reads,
        options: { evaluations_semantic: semantic },
      }).expect(200);
      expect(response.body.evaluations).toHaveLength(length);
    });

    it('evaluates the top level once without entries', async () => {
      for (const extra of [{}, { evaluations: [] }]) {
        const response = await evaluations({
          subject: user('bob'),
          resource: member(2, 1),
          action: { name: 'read' },
          ...extra,
        }).expect(200);
        expect(response.body).toEqual({
          evaluations: [{ decision: true, context: { reason: 'SELF' } }],
        });
      }
    });

    it('is 400 for 101 entries, an unknown semantic, or an entry left without a subject', async () => {
      const many = Array.from({ length: 101 }, () => ({ resource: member(2, 1) }));
      expectProblem(
        await evaluations({ subject: user('bob'), action: { name: 'read' }, evaluations: many }),
        400,
        'VALIDATION_FAILED',
      );
      expectProblem(
        await evaluations({
          evaluations: reads,
          subject: user('bob'),
          action: { name: 'read' },
          options: { evaluations_semantic: 'all' },
        }),
        400,
        'VALIDATION_FAILED',
      );
      const orphan = await evaluations({ action: { name: 'read' }, evaluations: reads });
      expectProblem(orphan, 400, 'VALIDATION_FAILED');
      expect(orphan.body.errors[0].field).toBe('evaluations[0].subject');
    });
  });

  describe('statements', () => {
    let counter: StatementCounter;
    afterAll(() => counter?.restore());

    it('are at most 2 for an evaluation and 3 for 100 evaluations', async () => {
      counter = new StatementCounter();
      counter.reset();
      await evaluate({
        subject: user(team.manager.subject),
        resource: member(team.plain.userId, team.organizationId),
        action: { name: 'update_profile' },
      }).expect(200);
      const single = [...counter.statements];
      const members = [team.admin, team.manager, team.reader, team.plain];
      const entries = Array.from({ length: 100 }, (_, index) => ({
        subject: { type: 'user_id', id: String(members[index % 4].userId) },
        resource:
          index % 3 === 0
            ? group(team.groups.night, team.organizationId)
            : member(members[(index + 1) % 4].userId, team.organizationId),
        action: { name: index % 2 === 0 ? 'read' : index % 3 === 0 ? 'manage' : 'update_profile' },
      }));
      counter.reset();
      const response = await t
        .http()
        .post(`${ACCESS}/evaluations`)
        .set(CHECKER)
        .send({ evaluations: entries })
        .expect(200);
      const batch = [...counter.statements];
      console.log(
        `${engine} AuthZEN: one evaluation ${single.length} statements, 100 evaluations ${batch.length}`,
      );
      expect(response.body.evaluations).toHaveLength(100);
      expect(single.length).toBeLessThanOrEqual(2);
      expect(batch.length).toBeLessThanOrEqual(3);
    });
  });

  describe('fresh', () => {
    it('sees a PATCH that answered 200 on the other instance, every time', async () => {
      const other = await secondInstance(t, { env: { SERVICE_CLIENTS: JSON.stringify(CLIENTS) } });
      try {
        const local = await createTeam(t);
        const asAdmin = await other.login(local.admin.subject, local.organizationId);
        const ask = {
          subject: { type: 'user_id', id: String(local.reader.userId) },
          resource: member(local.manager.userId, local.organizationId),
          action: { name: 'read' },
        };
        for (const [read, expected] of [
          [[local.groups.night], true],
          [[], false],
          [[local.groups.night], true],
          [[local.groups.day], false],
        ] as const) {
          await other
            .http()
            .patch(`/users-organizations/v1/rs/users/${local.reader.userId}`)
            .set(asAdmin)
            .send({ permissions: { group: local.groups.day, read, manage: [] } })
            .expect(200);
          expect((await decision(ask)).decision).toBe(expected);
        }
      } finally {
        await other.close();
      }
    });
  });

  describe('searches', () => {
    const search = (kind: string, body: Body) =>
      t.http().post(`${ACCESS}/search/${kind}`).set(CHECKER).send(body);

    it('agree with single evaluations: subjects, resources and actions', async () => {
      const members = [team.admin, team.manager, team.reader, team.plain];
      const extra = await createMember(t.dataSource, {
        organizationId: team.organizationId,
        group: team.groups.night,
      });
      const everyone = [...members, extra];
      for (const target of everyone) {
        for (const name of ['read', 'update_profile']) {
          const resource = member(target.userId, team.organizationId);
          const found = await search('subject', {
            subject: { type: 'user_id' },
            resource,
            action: { name },
          }).expect(200);
          const ids = (found.body.results as { id: string }[]).map((result) => Number(result.id));
          const expected: number[] = [];
          for (const candidate of everyone) {
            const one = await decision({
              subject: { type: 'user_id', id: String(candidate.userId) },
              resource,
              action: { name },
            });
            if (one.decision) expected.push(candidate.userId);
          }
          expect(ids.sort()).toEqual(expected.sort());
        }
      }
      for (const subject of everyone) {
        const asked = { type: 'user_id', id: String(subject.userId) };
        for (const [type, name] of [
          ['member', 'read'],
          ['member', 'update_profile'],
          ['group', 'read'],
          ['group', 'manage'],
        ]) {
          const found = await search('resource', {
            subject: asked,
            resource: { type, properties: { organizationId: team.organizationId } },
            action: { name },
          }).expect(200);
          const ids = (found.body.results as { id: string }[]).map((result) => Number(result.id));
          const candidates =
            type === 'member'
              ? everyone.map((m) => m.userId)
              : [team.groups.day, team.groups.night];
          const expected: number[] = [];
          for (const id of candidates) {
            const resource =
              type === 'member' ? member(id, team.organizationId) : group(id, team.organizationId);
            if ((await decision({ subject: asked, resource, action: { name } })).decision)
              expected.push(id);
          }
          expect(ids.sort()).toEqual(expected.sort());
        }
        const actions = await search('action', {
          subject: asked,
          resource: member(team.plain.userId, team.organizationId),
        }).expect(200);
        const names: string[] = [];
        for (const name of ['read', 'update_profile']) {
          if (
            (
              await decision({
                subject: asked,
                resource: member(team.plain.userId, team.organizationId),
                action: { name },
              })
            ).decision
          )
            names.push(name);
        }
        expect(actions.body).toEqual({
          results: names.map((name) => ({ name })),
          page: { next_token: '', count: names.length },
        });
      }
    });

    it('pages with next_token until it is empty', async () => {
      const seen: string[] = [];
      let token: string | undefined;
      do {
        const page = await search('resource', {
          subject: { type: 'user_id', id: String(team.admin.userId) },
          resource: { type: 'member', properties: { organizationId: team.organizationId } },
          action: { name: 'read' },
          page: { limit: 2, ...(token === undefined ? {} : { token }) },
        }).expect(200);
        seen.push(...(page.body.results as { id: string }[]).map((result) => result.id));
        token = page.body.page.next_token as string;
        expect(page.body.page.count).toBe(page.body.results.length);
      } while (token !== '');
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.length).toBeGreaterThanOrEqual(4);
    });

    it('needs authz:search', async () => {
      const response = await t
        .http()
        .post(`${ACCESS}/search/action`)
        .set(asService('lyon', 'authz:check'))
        .send({ subject: user('dave'), resource: { type: 'organization', id: '2' } });
      expectProblem(response, 403, 'INSUFFICIENT_SCOPE');
    });
  });

  it('counts decisions by action and decision, and times them', async () => {
    const before = await scrape(t.http);
    const key = sampleKey('authz_decisions_total', { action: 'update_profile', decision: 'false' });
    await evaluate({
      subject: user('bob'),
      resource: member(3, 1),
      action: { name: 'update_profile' },
    }).expect(200);
    const after = await scrape(t.http);
    expect((after.get(key) ?? 0) - (before.get(key) ?? 0)).toBe(1);
    const timed = sampleKey('authz_decision_duration_seconds_count', { endpoint: 'evaluation' });
    expect((after.get(timed) ?? 0) - (before.get(timed) ?? 0)).toBe(1);
  });

  it('publishes its metadata with PUBLIC_BASE_URL, whatever the Host header says', async () => {
    const response = await t
      .http()
      .get('/.well-known/authzen-configuration')
      .set('Host', 'evil.example')
      .expect(200);
    expect(response.body).toEqual({
      policy_decision_point: 'https://api.example',
      access_evaluation_endpoint: `https://api.example${ACCESS}/evaluation`,
      access_evaluations_endpoint: `https://api.example${ACCESS}/evaluations`,
      search_subject_endpoint: `https://api.example${ACCESS}/search/subject`,
      search_resource_endpoint: `https://api.example${ACCESS}/search/resource`,
      search_action_endpoint: `https://api.example${ACCESS}/search/action`,
    });
  });
});
