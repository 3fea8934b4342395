import { randomUUID } from 'node:crypto';
import { ENGINES } from './support/databases';
import { addMembership, createMember, createOrganization } from './support/factories';
import { invite, issued } from './support/invitations';
import { createTeam, loginTeam, type Team } from './support/organization';
import { RS, uniqueName } from './support/privacy';
import { expectProblem } from './support/service';
import { startTestApp, type TestApp } from './support/test-app';
import { bearerToken } from './support/tokens';

type Headers = Record<string, string>;
const USERS = `${RS}/users`;

interface ExportedAuditEvent {
  id: number;
  organizationId: number;
  actorUserId: number | null;
  targetUserId: number | null;
  invitationId: number | null;
  action: string;
  changes: Record<string, { before: unknown; after: unknown }>;
}

interface Exported {
  schema: string;
  exportedAt: string;
  user: Record<string, unknown>;
  memberships: { organizationId: number; firstName: string; deletedAt: string | null }[];
  invitations: { id: number; organizationId: number; email: string }[];
  sessions: { id: string; organizationId: number }[];
  auditEvents: ExportedAuditEvent[];
}

describe.each(ENGINES)('the export of DESIGN 15 on %s', (engine) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(engine);
  });
  afterAll(() => t.close());

  const bearer = (subject: string): Headers => ({
    Authorization: `Bearer ${bearerToken(subject)}`,
  });

  /**
   * The manager of a team, with a row of every kind: its membership (renamed by the
   * administrator), a removed membership elsewhere, a session, an invitation addressed to it in
   * a third organization, and a change it made to another member.
   */
  async function personWithHistory() {
    const team = await createTeam(t);
    const sessions = await loginTeam(t, team);
    const person = team.manager;
    const lastName = uniqueName('Lastname');
    await t
      .http()
      .patch(`${USERS}/${person.userId}`)
      .set(sessions.admin)
      .send({ lastName })
      .expect(200);
    const othersName = uniqueName('Other');
    await t
      .http()
      .patch(`${USERS}/${team.plain.userId}`)
      .set(sessions.manager)
      .send({ firstName: othersName })
      .expect(200);
    const removedFrom = await createOrganization(t.dataSource);
    await addMembership(t.dataSource, person.userId, {
      organizationId: removedFrom,
      deleted: true,
    });
    const elsewhere = await createTeam(t);
    const asOtherAdmin = await t.login(elsewhere.admin.subject, elsewhere.organizationId);
    const invitation = issued(
      await invite(t, asOtherAdmin, { email: `${person.subject}@example.com` }).expect(201),
    );
    return { team, sessions, person, lastName, othersName, removedFrom, elsewhere, invitation };
  }

  const exportOf = async (path: string, headers: Headers) => {
    const response = await t.http().get(path).set(headers).expect(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.headers['cache-control']).toBe('no-store');
    return { text: response.text, body: JSON.parse(response.text) as Exported };
  };

  it('gives the person every kind of row about them, another person by id only, and no secret', async () => {
    const history = await personWithHistory();
    const { person, team, invitation } = history;
    const { text, body } = await exportOf(`${RS}/me/export`, bearer(person.subject));

    expect(body.schema).toBe('users-organizations/export/v1');
    expect(body.user).toEqual({
      id: person.userId,
      issuer: '',
      subject: person.subject,
      email: `${person.subject}@example.com`,
      createdAt: expect.any(String),
    });
    expect(body.memberships.map((m) => [m.organizationId, m.deletedAt === null]).sort()).toEqual(
      [
        [team.organizationId, true],
        [history.removedFrom, false],
      ].sort(),
    );
    expect(body.invitations.map((i) => [i.id, i.organizationId])).toEqual([
      [invitation.id, history.elsewhere.organizationId],
    ]);
    expect(body.sessions.map((s) => s.organizationId)).toEqual([team.organizationId]);

    const actions = body.auditEvents.map((e) => [e.action, e.actorUserId, e.targetUserId]);
    expect(actions).toEqual(
      expect.arrayContaining([
        ['membership.updated', team.admin.userId, person.userId],
        ['membership.updated', person.userId, team.plain.userId],
        ['invitation.created', history.elsewhere.admin.userId, null],
        ['session.opened', person.userId, person.userId],
      ]),
    );
    const ids = body.auditEvents.map((e) => e.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
    // The person's own values are theirs to see; the other member appears by id only.
    expect(text).toContain(history.lastName);
    expect(text).not.toContain(history.othersName);
    const aboutPlain = body.auditEvents.find((e) => e.targetUserId === team.plain.userId);
    expect(aboutPlain?.changes).toEqual({});

    const secrets = [
      ...(
        await t.dataSource.query<{ id: string }[]>(
          'SELECT `id` FROM `sessions` WHERE `userId` = ?',
          [person.userId],
        )
      ).map((row) => row.id),
      ...(
        await t.dataSource.query<{ tokenHash: string }[]>(
          'SELECT `tokenHash` FROM `invitations` WHERE `id` = ?',
          [invitation.id],
        )
      ).map((row) => row.tokenHash),
      invitation.token,
      history.sessions.manager['x-session-token'],
    ];
    expect(secrets).toHaveLength(4);
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/tokenHash|sessionToken|whsec_|"token"/);
  });

  it("limits an administrator's export to its organization, without the provider's names", async () => {
    const history = await personWithHistory();
    const { person, team } = history;
    const { text, body } = await exportOf(
      `${USERS}/${person.userId}/export`,
      history.sessions.admin,
    );
    expect(body.user).toEqual({
      id: person.userId,
      email: `${person.subject}@example.com`,
      createdAt: expect.any(String),
    });
    expect(text).not.toMatch(/"(issuer|subject)"/);
    expect(body.memberships.map((m) => m.organizationId)).toEqual([team.organizationId]);
    expect(body.invitations).toEqual([]);
    expect(body.sessions.map((s) => s.organizationId)).toEqual([team.organizationId]);
    expect(body.auditEvents.length).toBeGreaterThan(0);
    for (const event of body.auditEvents) expect(event.organizationId).toBe(team.organizationId);
    expect(text).not.toContain(history.othersName);
  });

  it('refuses what an administrator may not export: another organization, a non-administrator', async () => {
    const team: Team = await createTeam(t);
    const sessions = await loginTeam(t, team);
    const stranger = await createMember(t.dataSource, {
      organizationId: await createOrganization(t.dataSource),
    });
    expectProblem(
      await t.http().get(`${USERS}/${stranger.userId}/export`).set(sessions.admin),
      404,
      'MEMBERSHIP_NOT_FOUND',
    );
    expectProblem(
      await t.http().get(`${USERS}/${team.plain.userId}/export`).set(sessions.reader),
      403,
      'ADMIN_REQUIRED',
    );
    expectProblem(await t.http().get(`${USERS}/abc/export`).set(sessions.admin), 400, 'INVALID_ID');
    // An identity never seen here has nothing to export, and is not created by asking.
    const unknown = `nobody-${randomUUID()}`;
    expectProblem(
      await t.http().get(`${RS}/me/export`).set(bearer(unknown)),
      404,
      'USER_NOT_FOUND',
    );
    const created = await t.dataSource.query<unknown[]>(
      'SELECT `id` FROM `users` WHERE `subject` = ?',
      [unknown],
    );
    expect(created).toEqual([]);
  });

  it('streams a long trail page by page, every row once and in order', async () => {
    const team = await createTeam(t);
    const person = team.plain;
    const rows = 1_234;
    const values = Array.from(
      { length: rows },
      (_, index) =>
        `(${team.organizationId}, ${team.admin.userId}, ${person.userId}, 'membership.updated', ` +
        `'{"scope":{"before":2,"after":${(index % 2) + 1}}}', '2026-12-01 10:00:00', '${randomUUID()}', '{}', '2026-12-01 10:00:01')`,
    );
    await t.dataSource.query(
      'INSERT INTO `audit_events` (`organizationId`, `actorUserId`, `targetUserId`, `action`, ' +
        '`changes`, `createdAt`, `eventId`, `data`, `relayedAt`) VALUES ' +
        values.join(', '),
    );
    const { body } = await exportOf(`${RS}/me/export`, bearer(person.subject));
    const ids = body.auditEvents.map((e) => e.id);
    expect(ids.length).toBe(rows);
    expect(new Set(ids).size).toBe(rows);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
  });
});
