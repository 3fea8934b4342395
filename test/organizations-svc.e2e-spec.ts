import { IsNull } from 'typeorm';
import { AuditEventEntity } from '../src/audit/entities/audit-event.entity';
import { OrganizationEntity } from '../src/organizations/entities/organization.entity';
import { SessionEntity } from '../src/auth/entities/session.entity';
import { SWAGGER_JSON_PATH } from '../src/common/swagger/swagger';
import { ENGINES } from './support/databases';
import { createMember } from './support/factories';
import { acceptByToken, issued, verifiedBearer } from './support/invitations';
import {
  asService,
  expectProblem,
  OPERATOR,
  SERVICE_CLIENTS,
  SVC_ORGANIZATIONS,
} from './support/service';
import { secondInstance, startTestApp, TestApp } from './support/test-app';
import { bearerToken } from './support/tokens';

const RS = '/users-organizations/v1/rs';
const OPENAPI_JSON = `/${SWAGGER_JSON_PATH}`;

interface OrganizationBody {
  id: number;
  name: string;
  externalId: string | null;
  requireMfa: boolean;
  archivedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

describe.each(ENGINES)('organizations on the svc plane on %s', (engine) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(engine, {
      env: { SERVICE_CLIENTS: JSON.stringify(SERVICE_CLIENTS) },
    });
  });
  afterAll(() => t.close());

  const create = (body: object, headers = OPERATOR) =>
    t.http().post(SVC_ORGANIZATIONS).set(headers).send(body);
  const created = async (body: object) =>
    (await create(body).expect(201)).body.data as OrganizationBody;
  const auditOf = (organizationId: number) =>
    t.dataSource
      .getRepository(AuditEventEntity)
      .find({ where: { organizationId }, order: { id: 'ASC' } });
  const uniqueKey = () => `crm-${Math.random().toString(36).slice(2, 10)}`;

  describe('POST /svc/organizations', () => {
    it('creates: 201 with Location, ETag, the view, and an audit row naming the client', async () => {
      const externalId = uniqueKey();
      const response = await create({ name: 'Clinique Saint-Roch', externalId }).expect(201);
      const data = response.body.data as OrganizationBody;
      expect(data).toEqual({
        id: expect.any(Number),
        name: 'Clinique Saint-Roch',
        externalId,
        requireMfa: false,
        archivedAt: null,
        createdAt: data.updatedAt,
        updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      });
      expect(response.headers.location).toBe(`${SVC_ORGANIZATIONS}/${data.id}`);
      expect(response.headers.etag).toBe(`"o${data.id}.v1"`);
      const audit = await auditOf(data.id);
      expect(audit.map((row) => [row.action, row.actorUserId, row.actorClientId])).toEqual([
        ['organization.created', null, 'operator'],
      ]);
      expect(audit[0].eventId).toMatch(/^[0-9a-f-]{36}$/);
      const got = await t.http().get(`${SVC_ORGANIZATIONS}/${data.id}`).set(OPERATOR).expect(200);
      expect(got.body.data).toEqual(data);
    });

    it('is 409 EXTERNAL_ID_TAKEN for a key in use, and creates nothing', async () => {
      const externalId = uniqueKey();
      await created({ name: 'First', externalId });
      const before = await t.dataSource.getRepository(OrganizationEntity).count();
      expectProblem(await create({ name: 'Second', externalId }), 409, 'EXTERNAL_ID_TAKEN');
      expect(await t.dataSource.getRepository(OrganizationEntity).count()).toBe(before);
    });

    it('makes one organization from creates racing with one key on two instances', async () => {
      const other = await secondInstance(t, {
        env: { SERVICE_CLIENTS: JSON.stringify(SERVICE_CLIENTS) },
      });
      try {
        const externalId = uniqueKey();
        const responses = await Promise.all(
          Array.from({ length: 8 }, (_, index) =>
            (index % 2 === 0 ? t : other)
              .http()
              .post(SVC_ORGANIZATIONS)
              .set(OPERATOR)
              .send({ name: `Race ${index}`, externalId }),
          ),
        );
        expect(responses.map((response) => response.status).sort()).toEqual([
          201, 409, 409, 409, 409, 409, 409, 409,
        ]);
        expect(await t.dataSource.getRepository(OrganizationEntity).countBy({ externalId })).toBe(
          1,
        );
      } finally {
        await other.close();
      }
    });

    it('stores the name in NFC', async () => {
      const data = await created({ name: 'Clinique Ste-Rose\u0301' });
      expect(data.name).toBe('Clinique Ste-Ros\u00e9');
    });

    it.each([
      ['an empty name', { name: '' }, 'name'],
      ['a name of 251 characters', { name: 'x'.repeat(251) }, 'name'],
      ['a name with a control character', { name: 'Care\u0007' }, 'name'],
      ['a name with a bidirectional override', { name: 'Care \u202Eevil' }, 'name'],
      ['a name with a zero-width space', { name: 'Ca\u200Bre' }, 'name'],
      ['a name with a leading space', { name: ' Care' }, 'name'],
      ['a name that is not a string', { name: 42 }, 'name'],
      ['a missing name', {}, 'name'],
      ['an externalId with a space', { name: 'Care', externalId: 'crm 42' }, 'externalId'],
      [
        'an externalId of 65 characters',
        { name: 'Care', externalId: 'x'.repeat(65) },
        'externalId',
      ],
      ['an empty externalId', { name: 'Care', externalId: '' }, 'externalId'],
      ['an unknown field', { name: 'Care', requireMfa: true }, 'requireMfa'],
    ])('is 400 for %s, naming the field, and creates nothing', async (_label, body, field) => {
      const before = await t.dataSource.getRepository(OrganizationEntity).count();
      const response = await create(body);
      expectProblem(response, 400, 'VALIDATION_FAILED');
      expect((response.body.errors as { field: string }[]).map((error) => error.field)).toContain(
        field,
      );
      expect(await t.dataSource.getRepository(OrganizationEntity).count()).toBe(before);
    });

    it('is 403 INSUFFICIENT_SCOPE for a client limited to some organizations', async () => {
      const lyon = asService('lyon', 'organizations:write');
      const response = await create({ name: 'Not mine to make' }, lyon);
      expectProblem(response, 403, 'INSUFFICIENT_SCOPE');
    });

    it('is 403 INSUFFICIENT_SCOPE for organizations:read alone, with its challenge', async () => {
      const response = await create(
        { name: 'Read only' },
        asService('reader', 'organizations:read'),
      );
      expectProblem(response, 403, 'INSUFFICIENT_SCOPE');
      expect(response.headers['www-authenticate']).toBe(
        'Bearer error="insufficient_scope", scope="organizations:write"',
      );
      const reader = asService('reader', 'organizations:read');
      expectProblem(
        await t.http().delete(`${SVC_ORGANIZATIONS}/2`).set(reader),
        403,
        'INSUFFICIENT_SCOPE',
      );
      expectProblem(
        await t.http().patch(`${SVC_ORGANIZATIONS}/2`).set(reader).send({ name: 'Mine' }),
        403,
        'INSUFFICIENT_SCOPE',
      );
      const row = await t.dataSource.getRepository(OrganizationEntity).findOneByOrFail({ id: 2 });
      expect({ name: row.name, archivedAt: row.archivedAt }).toEqual({
        name: 'Demo Care Lyon',
        archivedAt: null,
      });
    });

    it("grants no more than the client's entry, whatever the token's scope asks", async () => {
      const response = await create(
        { name: 'Escalated' },
        asService('reader', 'organizations:read organizations:write'),
      );
      expectProblem(response, 403, 'INSUFFICIENT_SCOPE');
    });
  });

  describe('GET /svc/organizations', () => {
    it('pages by ascending id, and filters by externalId and archived', async () => {
      const prefix = uniqueKey();
      const made = [];
      for (const index of [1, 2, 3]) {
        made.push(await created({ name: `Paged ${index}`, externalId: `${prefix}-${index}` }));
      }
      await t.http().delete(`${SVC_ORGANIZATIONS}/${made[2].id}`).set(OPERATOR).expect(204);
      const byKey = await t
        .http()
        .get(SVC_ORGANIZATIONS)
        .query({ externalId: `${prefix}-2` })
        .set(OPERATOR)
        .expect(200);
      expect(byKey.body).toEqual({ data: [made[1]], nextCursor: null });

      const seen: number[] = [];
      let cursor: string | null = null;
      do {
        const page = await t
          .http()
          .get(SVC_ORGANIZATIONS)
          .query({ limit: 2, ...(cursor === null ? {} : { cursor }) })
          .set(OPERATOR)
          .expect(200);
        seen.push(...(page.body.data as OrganizationBody[]).map((organization) => organization.id));
        cursor = page.body.nextCursor as string | null;
      } while (cursor !== null);
      expect(seen).toEqual([...seen].sort((a, b) => a - b));
      expect(seen).toEqual(expect.arrayContaining([1, 2, made[0].id, made[1].id]));
      expect(seen).not.toContain(made[2].id);

      const archived = await t
        .http()
        .get(SVC_ORGANIZATIONS)
        .query({ archived: 'true', externalId: `${prefix}-3` })
        .set(OPERATOR)
        .expect(200);
      expect(
        (archived.body.data as OrganizationBody[]).map((organization) => organization.id),
      ).toEqual([made[2].id]);
    });

    it('shows a client only the organizations of its entry; others are 404 as if absent', async () => {
      const lyon = asService('lyon', 'organizations:read');
      const list = await t.http().get(SVC_ORGANIZATIONS).set(lyon).expect(200);
      expect((list.body.data as OrganizationBody[]).map((organization) => organization.id)).toEqual(
        [2],
      );
      await t.http().get(`${SVC_ORGANIZATIONS}/2`).set(lyon).expect(200);
      const other = await t.http().get(`${SVC_ORGANIZATIONS}/1`).set(lyon);
      const absent = await t.http().get(`${SVC_ORGANIZATIONS}/999999`).set(lyon);
      expectProblem(other, 404, 'ORGANIZATION_NOT_FOUND');
      expect(other.body).toEqual({
        ...absent.body,
        instance: other.body.instance,
        requestId: other.body.requestId,
      });
    });

    it.each([
      ['archived=yes', { archived: 'yes' }],
      ['a cursor it did not issue', { cursor: 'bm90LWEtY3Vyc29y' }],
      ['limit=0', { limit: '0' }],
      ['an externalId with a slash', { externalId: 'a/b' }],
    ])('is 400 for %s', async (_label, query) => {
      const response = await t.http().get(SVC_ORGANIZATIONS).query(query).set(OPERATOR);
      expect(response.status).toBe(400);
    });
  });

  describe('PATCH /svc/organizations/{id}', () => {
    const patch = (id: number, body: object, ifMatch?: string) => {
      const call = t.http().patch(`${SVC_ORGANIZATIONS}/${id}`).set(OPERATOR);
      return (ifMatch === undefined ? call : call.set('If-Match', ifMatch)).send(body);
    };

    it('changes with a matching If-Match, and is 412 with a stale one, writing nothing', async () => {
      const organization = await created({ name: 'Before', externalId: uniqueKey() });
      const changed = await patch(
        organization.id,
        { name: 'After', requireMfa: true },
        `"o${organization.id}.v1"`,
      ).expect(200);
      expect(changed.body.data).toMatchObject({ name: 'After', requireMfa: true });
      expect(changed.headers.etag).toBe(`"o${organization.id}.v2"`);
      const stale = await patch(organization.id, { name: 'Lost' }, `"o${organization.id}.v1"`);
      expectProblem(stale, 412, 'PRECONDITION_FAILED');
      const audit = await auditOf(organization.id);
      expect(audit.map((row) => [row.action, row.actorClientId, row.changes])).toEqual([
        ['organization.created', 'operator', expect.any(Object)],
        [
          'organization.updated',
          'operator',
          {
            name: { before: 'Before', after: 'After' },
            requireMfa: { before: false, after: true },
          },
        ],
      ]);
    });

    it('writes nothing for a no-op: same ETag, same updatedAt, no audit row', async () => {
      const organization = await created({ name: 'Steady', externalId: uniqueKey() });
      const response = await patch(organization.id, {
        name: 'Steady',
        externalId: organization.externalId,
      }).expect(200);
      expect(response.headers.etag).toBe(`"o${organization.id}.v1"`);
      expect(response.body.data).toEqual(organization);
      expect(await auditOf(organization.id)).toHaveLength(1);
    });

    it("clears the externalId with null, and is 409 for another organization's", async () => {
      const taken = await created({ name: 'Holder', externalId: uniqueKey() });
      const organization = await created({ name: 'Mover', externalId: uniqueKey() });
      expectProblem(
        await patch(organization.id, { externalId: taken.externalId }),
        409,
        'EXTERNAL_ID_TAKEN',
      );
      const cleared = await patch(organization.id, { externalId: null }).expect(200);
      expect(cleared.body.data.externalId).toBeNull();
    });

    it('is 400 EMPTY_UPDATE for an empty body, and 404 for an organization that does not exist', async () => {
      const empty = await patch(1, {});
      expectProblem(empty, 400, 'EMPTY_UPDATE');
      expect(empty.body.detail).toBe('Send at least one of name, externalId, requireMfa.');
      expectProblem(await patch(999999, { name: 'Nobody' }), 404, 'ORGANIZATION_NOT_FOUND');
    });

    it("is 404 for an organization outside the client's entry, and changes nothing", async () => {
      const response = await t
        .http()
        .patch(`${SVC_ORGANIZATIONS}/1`)
        .set(asService('lyon', 'organizations:write'))
        .send({ name: 'Taken over' });
      expectProblem(response, 404, 'ORGANIZATION_NOT_FOUND');
      const row = await t.dataSource.getRepository(OrganizationEntity).findOneByOrFail({ id: 1 });
      expect(row.name).toBe('Demo Care Paris');
    });
  });

  describe('archive and restore', () => {
    it('signs every member out at once, on every instance, and keeps them out until restored', async () => {
      const other = await secondInstance(t, {
        env: { SERVICE_CLIENTS: JSON.stringify(SERVICE_CLIENTS) },
      });
      try {
        const organization = await created({ name: 'Closing', externalId: uniqueKey() });
        const member = await createMember(t.dataSource, {
          organizationId: organization.id,
          scope: 1,
        });
        const headers = await other.login(member.subject, organization.id);
        await other.http().get(`${RS}/users/me`).set(headers).expect(200);
        const bearer = { Authorization: headers.Authorization };

        await t.http().delete(`${SVC_ORGANIZATIONS}/${organization.id}`).set(OPERATOR).expect(204);
        expectProblem(
          await other.http().get(`${RS}/users/me`).set(headers),
          401,
          'SESSION_REVOKED',
        );
        expect(
          await t.dataSource
            .getRepository(SessionEntity)
            .countBy({ organizationId: organization.id, revokedAt: IsNull() }),
        ).toBe(0);
        expectProblem(
          await other
            .http()
            .post(`${RS}/sessions`)
            .set(bearer)
            .send({ organizationId: organization.id }),
          403,
          'ORGANIZATION_ARCHIVED',
        );
        const mine = await other.http().get(`${RS}/me/organizations`).set(bearer).expect(200);
        expect(mine.body.data).toEqual([]);
        // A second archive changes nothing and records nothing.
        await t.http().delete(`${SVC_ORGANIZATIONS}/${organization.id}`).set(OPERATOR).expect(204);

        const restored = await t
          .http()
          .post(`${SVC_ORGANIZATIONS}/${organization.id}/restore`)
          .set(OPERATOR)
          .expect(200);
        expect(restored.body.data.archivedAt).toBeNull();
        await other.login(member.subject, organization.id);
        const audit = await auditOf(organization.id);
        expect(
          audit
            .filter((row) => row.action.startsWith('organization.'))
            .map((row) => [row.action, row.actorClientId]),
        ).toEqual([
          ['organization.created', 'operator'],
          ['organization.archived', 'operator'],
          ['organization.restored', 'operator'],
        ]);
      } finally {
        await other.close();
      }
    });

    it('orders an archive against racing PATCHes and session openings on two instances', async () => {
      const other = await secondInstance(t, {
        env: { SERVICE_CLIENTS: JSON.stringify(SERVICE_CLIENTS) },
      });
      try {
        const organization = await created({ name: 'Racing', externalId: uniqueKey() });
        const member = await createMember(t.dataSource, {
          organizationId: organization.id,
          scope: 1,
        });
        const headers = await t.login(member.subject, organization.id);
        const bearer = { Authorization: headers.Authorization };
        const instance = (index: number) => (index % 2 === 0 ? t : other);
        const patches = Array.from({ length: 12 }, (_, index) =>
          instance(index)
            .http()
            .patch(`${RS}/users/me`)
            .set(headers)
            .send({ firstName: `Racer ${index}` }),
        );
        const openings = Array.from({ length: 6 }, (_, index) =>
          instance(index)
            .http()
            .post(`${RS}/sessions`)
            .set(bearer)
            .send({ organizationId: organization.id }),
        );
        const archive = t.http().delete(`${SVC_ORGANIZATIONS}/${organization.id}`).set(OPERATOR);
        const [archived, ...answers] = await Promise.all([archive, ...patches, ...openings]);
        expect(archived.status).toBe(204);
        for (const answer of answers.slice(0, patches.length)) {
          expect([200, 401, 409]).toContain(answer.status);
        }
        for (const answer of answers.slice(patches.length)) {
          expect([201, 403]).toContain(answer.status);
        }
        // No session survives the archive, and every change it let through committed before it.
        expect(
          await t.dataSource
            .getRepository(SessionEntity)
            .countBy({ organizationId: organization.id, revokedAt: IsNull() }),
        ).toBe(0);
        const audit = await auditOf(organization.id);
        const archivedAt = audit.findIndex((row) => row.action === 'organization.archived');
        expect(archivedAt).toBeGreaterThan(0);
        expect(audit.slice(archivedAt + 1).map((row) => row.action)).toEqual([]);
        const updated = audit.filter((row) => row.action === 'membership.updated').length;
        expect(updated).toBe(
          answers.slice(0, patches.length).filter((a) => a.status === 200).length,
        );
      } finally {
        await other.close();
      }
    });

    it('leaves the pending invitations of an archived organization gone (410) until restored', async () => {
      const organization = await created({ name: 'Paused', externalId: uniqueKey() });
      const invitation = issued(
        await t
          .http()
          .post(`${SVC_ORGANIZATIONS}/${organization.id}/invitations`)
          .set(OPERATOR)
          .send({ email: 'paused@example.com', scope: 1, firstName: 'Pat', lastName: 'Lenoir' })
          .expect(201),
      );
      await t.http().delete(`${SVC_ORGANIZATIONS}/${organization.id}`).set(OPERATOR).expect(204);
      const invitee = verifiedBearer('paused-subject', 'paused@example.com');
      expectProblem(await acceptByToken(t, invitee, invitation.token), 410, 'INVITATION_GONE');
      await t
        .http()
        .post(`${SVC_ORGANIZATIONS}/${organization.id}/restore`)
        .set(OPERATOR)
        .expect(200);
      await acceptByToken(t, invitee, invitation.token).expect(201);
    });
  });

  describe('POST /svc/organizations/{id}/invitations', () => {
    const inviteAs = (headers: Record<string, string>, organizationId: number, body: object) =>
      t
        .http()
        .post(`${SVC_ORGANIZATIONS}/${organizationId}/invitations`)
        .set(headers)
        .send({ firstName: 'Dana', lastName: 'Roux', ...body });

    it('brings the first administrator, then refuses a second one while it is active', async () => {
      const organization = await created({ name: 'Starting', externalId: uniqueKey() });
      const first = issued(
        await inviteAs(OPERATOR, organization.id, { email: 'dana@example.com', scope: 1 }).expect(
          201,
        ),
      );
      const dana = verifiedBearer('dana-first-admin', 'dana@example.com');
      const membership = await acceptByToken(t, dana, first.token).expect(201);
      expect(membership.body.data).toMatchObject({ scope: 1, organizationId: organization.id });
      const invitationAudit = (await auditOf(organization.id)).find(
        (row) => row.action === 'invitation.created',
      );
      expect(invitationAudit).toMatchObject({ actorUserId: null, actorClientId: 'operator' });

      const again = await inviteAs(OPERATOR, organization.id, {
        email: 'eve@example.com',
        scope: 1,
      });
      expectProblem(again, 409, 'ORGANIZATION_HAS_ADMINISTRATOR');
      await inviteAs(OPERATOR, organization.id, { email: 'eve@example.com', scope: 2 }).expect(201);

      // The administrator it brought invites the next ones itself.
      const headers = await t.login('dana-first-admin', organization.id);
      await t
        .http()
        .post(`${RS}/invitations`)
        .set(headers)
        .send({ email: 'fay@example.com', scope: 1, firstName: 'Fay', lastName: 'Roux' })
        .expect(201);
    });

    it('is 404 outside the entry, 403 for an archived organization, 403 without invitations:write', async () => {
      expectProblem(
        await inviteAs(asService('lyon', 'invitations:write'), 1, {
          email: 'x@example.com',
          scope: 2,
        }),
        404,
        'ORGANIZATION_NOT_FOUND',
      );
      const archived = await created({ name: 'Archived', externalId: uniqueKey() });
      await t.http().delete(`${SVC_ORGANIZATIONS}/${archived.id}`).set(OPERATOR).expect(204);
      expectProblem(
        await inviteAs(OPERATOR, archived.id, { email: 'x@example.com', scope: 1 }),
        403,
        'ORGANIZATION_ARCHIVED',
      );
      expectProblem(
        await inviteAs(asService('operator', 'organizations:write'), 2, {
          email: 'x@example.com',
          scope: 2,
        }),
        403,
        'INSUFFICIENT_SCOPE',
      );
    });
  });

  describe('GET and PATCH /rs/organization', () => {
    it('shows any member its organization, and lets administrators alone rename it', async () => {
      const bob = await t.login('bob', 1);
      const alice = await t.login('alice', 1);
      const got = await t.http().get(`${RS}/organization`).set(bob).expect(200);
      expect(got.body.data).toMatchObject({ id: 1, name: 'Demo Care Paris' });
      expectProblem(
        await t.http().patch(`${RS}/organization`).set(bob).send({ name: 'Bob Care' }),
        403,
        'ADMIN_REQUIRED',
      );
      expectProblem(
        await t.http().patch(`${RS}/organization`).set(alice).send({ externalId: 'mine' }),
        400,
        'VALIDATION_FAILED',
      );
      // An empty body names only the fields this route accepts: externalId is the operators'.
      const empty = await t.http().patch(`${RS}/organization`).set(alice).send({});
      expectProblem(empty, 400, 'EMPTY_UPDATE');
      expect(empty.body.detail).toBe('Send at least one of name, requireMfa.');
      const renamed = await t
        .http()
        .patch(`${RS}/organization`)
        .set(alice)
        .set('If-Match', got.headers.etag)
        .send({ name: 'Demo Care Paris 15e' })
        .expect(200);
      expect(renamed.body.data.name).toBe('Demo Care Paris 15e');
      const audit = (await auditOf(1)).filter((row) => row.action === 'organization.updated');
      expect(audit.at(-1)).toMatchObject({ actorClientId: null, actorUserId: expect.any(Number) });
      const trail = await t.http().get(`${RS}/audit-events`).set(alice).expect(200);
      expect(JSON.stringify(trail.body)).toContain('organization.updated');
      await t
        .http()
        .patch(`${RS}/organization`)
        .set(alice)
        .send({ name: 'Demo Care Paris' })
        .expect(200);
    });
  });

  describe('the two planes refuse each other', () => {
    it('refuses a person token on every svc route and a service token on every rs route', async () => {
      const document = (await t.http().get(OPENAPI_JSON).expect(200)).body as {
        paths: Record<string, Record<string, { security?: Record<string, unknown>[] }>>;
      };
      const person = { Authorization: `Bearer ${bearerToken('alice')}` };
      const service = { Authorization: OPERATOR.Authorization };
      let checked = 0;
      for (const [template, operations] of Object.entries(document.paths)) {
        const plane = /\/v1\/(rs|svc)\//.exec(template)?.[1];
        if (plane === undefined) continue;
        const path = template.replace(/\{userId\}/g, 'me').replace(/\{\w+\}/g, '1');
        for (const [method, operation] of Object.entries(operations)) {
          if ((operation.security ?? []).length === 0) continue;
          const call = t
            .http()
            [method as 'get' | 'post' | 'patch' | 'delete'](path)
            .set(plane === 'svc' ? person : service)
            .set('content-type', 'application/json');
          const response = await (method === 'get' || method === 'delete' ? call : call.send('{}'));
          expect({ route: `${method} ${template}`, status: response.status }).toEqual({
            route: `${method} ${template}`,
            status: 401,
          });
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(30);
    });

    it.each([
      ['a service token on an rs route', () => ({ Authorization: OPERATOR.Authorization }), 'rs'],
      [
        'a person token on a svc route',
        () => ({ Authorization: `Bearer ${bearerToken('alice')}` }),
        'svc',
      ],
      [
        'a person token with the service audience on a svc route',
        () => ({
          Authorization: `Bearer ${bearerToken('alice', {
            audience: 'users-organizations-services',
            claims: { client_id: 'operator', scope: 'organizations:read' },
          })}`,
        }),
        'svc',
      ],
      ['an unlisted client', () => asService('stranger', 'organizations:read'), 'svc'],
      [
        'a service token for another audience',
        () => ({
          Authorization: `Bearer ${bearerToken('operator', {
            audience: 'billing-api',
            claims: { client_id: 'operator', scope: 'organizations:read' },
          })}`,
        }),
        'svc',
      ],
    ])('is 401 for %s', async (_label, headers, plane) => {
      const path = plane === 'rs' ? `${RS}/me/organizations` : SVC_ORGANIZATIONS;
      expectProblem(await t.http().get(path).set(headers()), 401, 'TOKEN_INVALID');
    });

    it('accepts an Entra ID app token (idtyp app) by its roles', async () => {
      const token = bearerToken('00000000-aaaa-bbbb-cccc-000000000001', {
        audience: 'users-organizations-services',
        claims: { azp: 'reader', idtyp: 'app', roles: ['organizations:read'] },
      });
      await t
        .http()
        .get(`${SVC_ORGANIZATIONS}/1`)
        .set({ Authorization: `Bearer ${token}` })
        .expect(200);
    });
  });
});
