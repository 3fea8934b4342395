import { randomBytes } from 'node:crypto';
import { ENGINES } from './support/databases';
import { createOrganization } from './support/factories';
import { invite, issued, MY_INVITATIONS } from './support/invitations';
import { createStream, deleteStream, MACHINE_NATS, readStream } from './support/nats';
import { createTeam, loginTeam } from './support/organization';
import { ERASE, everything, RS, signedIn, uniqueName } from './support/privacy';
import { asService, expectProblem } from './support/service';
import { NO_RATE_LIMITS, secondInstance, startTestApp, type TestApp } from './support/test-app';
import { bearerToken } from './support/tokens';
import { FAST_WEBHOOKS, WebhookReceiver } from './support/webhook-receiver';

type Headers = Record<string, string>;
const USERS = `${RS}/users`;
const WEBHOOKS = `${RS}/webhooks`;
const ERASER = asService('privacy-desk', 'users:erase');
const RUN = randomBytes(6).toString('hex');
const NATS = {
  EVENTS_NATS_URL: MACHINE_NATS,
  EVENTS_NATS_SUBJECT_PREFIX: `uo-test.${RUN}`,
  EVENTS_NATS_STREAM: `UO_TEST_${RUN}`,
};
const STEP_UP = /^Bearer error="insufficient_user_authentication"/;

describe.each(ENGINES)('erasure (DESIGN 15) on %s', (engine) => {
  let t: TestApp;
  let other: TestApp;
  let receiver: WebhookReceiver;
  const stream = `${NATS.EVENTS_NATS_STREAM}_${engine.toUpperCase()}`;
  const prefix = `${NATS.EVENTS_NATS_SUBJECT_PREFIX}.${engine}`;

  beforeAll(async () => {
    await createStream(MACHINE_NATS, stream, prefix, 1000);
    const env = {
      ...NO_RATE_LIMITS,
      ...FAST_WEBHOOKS,
      ...NATS,
      EVENTS_NATS_STREAM: stream,
      EVENTS_NATS_SUBJECT_PREFIX: prefix,
    };
    t = await startTestApp(engine, { env });
    other = await secondInstance(t, { env });
    receiver = new WebhookReceiver();
    await receiver.start();
  });
  afterAll(async () => {
    await other.close();
    await t.close();
    await receiver.close();
    await deleteStream(MACHINE_NATS, stream);
  });

  /**
   * The manager of a team with unique names, an invitation addressed to it in a second
   * organization, a change it made to another member, and a change made to it.
   */
  async function personToErase() {
    const team = await createTeam(t, { secondAdmin: true });
    const sessions = await loginTeam(t, team);
    const person = team.manager;
    const names = { firstName: uniqueName('First'), lastName: uniqueName('Last') };
    await t.http().patch(`${USERS}/${person.userId}`).set(sessions.admin).send(names).expect(200);
    const othersName = uniqueName('Other');
    await t
      .http()
      .patch(`${USERS}/${team.plain.userId}`)
      .set(sessions.manager)
      .send({ firstName: othersName })
      .expect(200);
    const elsewhere = await createTeam(t);
    const asOtherAdmin = await t.login(elsewhere.admin.subject, elsewhere.organizationId);
    const email = `${person.subject}@example.com`;
    const invitation = issued(
      await invite(t, asOtherAdmin, { email, firstName: names.firstName }).expect(201),
    );
    return { team, sessions, person, names, othersName, elsewhere, invitation, email };
  }

  it('erases the person everywhere in one go; the trail keeps who did what to whom', async () => {
    const p = await personToErase();
    const hook = `/erased-${engine}-${p.team.organizationId}`;
    await t
      .http()
      .post(WEBHOOKS)
      .set(p.sessions.admin)
      .send({ url: receiver.url(hook), events: ['user.erased'] })
      .expect(201);

    await other.http().delete(`${RS}/me`).set(signedIn(p.person.subject)).expect(204);

    const text = await everything(t.dataSource);
    for (const value of [p.names.firstName, p.names.lastName, p.email, p.person.subject]) {
      expect(text).not.toContain(value);
    }
    // Another person's values stay: the change the person made to them is intact.
    expect(text).toContain(p.othersName);
    const trail = await t.dataSource.query<
      { actorUserId: unknown; targetUserId: unknown; action: string; changes: string }[]
    >(
      'SELECT `actorUserId`, `targetUserId`, `action`, `changes` FROM `audit_events` ' +
        'WHERE `targetUserId` = ? OR `actorUserId` = ? ORDER BY `id`',
      [p.person.userId, p.person.userId],
    );
    const renamed = trail.find(
      (row) => row.action === 'membership.updated' && Number(row.targetUserId) === p.person.userId,
    );
    expect(Number(renamed?.actorUserId)).toBe(p.team.admin.userId);
    expect(JSON.parse(renamed?.changes as string)).toMatchObject({
      firstName: { before: '[erased]', after: '[erased]' },
    });
    const erased = trail.filter((row) => row.action === 'user.erased');
    expect(erased).toHaveLength(2);

    const user = await t.dataSource.query<Record<string, unknown>[]>(
      'SELECT `subject`, `email`, `emailKey`, `deletedAt` FROM `users` WHERE `id` = ?',
      [p.person.userId],
    );
    expect(user[0]).toMatchObject({ email: null, emailKey: null });
    expect(user[0].deletedAt).not.toBeNull();
    const memberships = await t.dataSource.query<Record<string, unknown>[]>(
      'SELECT `firstName`, `lastName`, `professionId`, `permissionGroupId`, `readGroupIds`, ' +
        '`manageGroupIds`, `deletedAt` FROM `memberships` WHERE `userId` = ?',
      [p.person.userId],
    );
    expect(memberships).toHaveLength(1);
    expect(memberships[0]).toMatchObject({
      firstName: '[erased]',
      lastName: '[erased]',
      professionId: null,
      permissionGroupId: null,
      readGroupIds: '[]',
      manageGroupIds: '[]',
    });
    expect(memberships[0].deletedAt).not.toBeNull();
    const live = await t.dataSource.query<unknown[]>(
      'SELECT `id` FROM `sessions` WHERE `userId` = ? AND `revokedAt` IS NULL',
      [p.person.userId],
    );
    expect(live).toEqual([]);
    const invitation = await t.dataSource.query<Record<string, unknown>[]>(
      'SELECT `email`, `revokedAt` FROM `invitations` WHERE `id` = ?',
      [p.invitation.id],
    );
    expect(invitation[0].email).toBe('[erased]');
    expect(invitation[0].revokedAt).not.toBeNull();

    // The session it had is refused at once, on either instance; so is the person's membership.
    expectProblem(await t.http().get(`${USERS}/me`).set(p.sessions.manager), 401, 'USER_UNKNOWN');
    for (const path of [`${USERS}/${p.person.userId}`, `${USERS}/${p.person.userId}/export`]) {
      expectProblem(
        await other.http().get(path).set(p.sessions.admin),
        404,
        'MEMBERSHIP_NOT_FOUND',
      );
    }
    expectProblem(
      await t.http().post(`${USERS}/${p.person.userId}/restore`).set(p.sessions.admin),
      404,
      'MEMBERSHIP_NOT_FOUND',
    );

    // The events say whom, and nothing else, through webhooks and NATS.
    const mine = () => receiver.received.filter((delivery) => delivery.path === hook);
    await receiver.waitFor(() => mine().length >= 1);
    expect(mine().map((delivery) => delivery.json)).toEqual([
      {
        id: expect.any(String),
        type: 'user.erased',
        timestamp: expect.any(String),
        organizationId: p.team.organizationId,
        data: { userId: p.person.userId },
      },
    ]);
    const published = async () =>
      (await readStream(MACHINE_NATS, stream)).filter(
        (message) =>
          message.body.type === 'user.erased' && message.body.data.userId === p.person.userId,
      );
    const deadline = Date.now() + 10_000;
    while ((await published()).length < 2 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(
      (await published()).map((message) => [message.body.organizationId, message.body.data]),
    ).toEqual([
      [p.team.organizationId, { userId: p.person.userId }],
      [p.elsewhere.organizationId, { userId: p.person.userId }],
    ]);

    // A second erasure finds nobody; signing in again makes a new user.
    expectProblem(
      await t.http().post(ERASE).set(ERASER).send({ userId: p.person.userId }),
      404,
      'USER_NOT_FOUND',
    );
    expectProblem(
      await t.http().delete(`${RS}/me`).set(signedIn(p.person.subject)),
      404,
      'USER_NOT_FOUND',
    );
    await t.http().get(MY_INVITATIONS).set(signedIn(p.person.subject)).expect(200);
    const again = await t.dataSource.query<{ id: unknown }[]>(
      'SELECT `id` FROM `users` WHERE `subject` = ?',
      [p.person.subject],
    );
    expect(again).toHaveLength(1);
    expect(Number(again[0].id)).not.toBe(p.person.userId);
  });

  it('needs a recent sign-in, and a second factor where an organization requires one', async () => {
    const team = await createTeam(t);
    const subject = team.reader.subject;
    const stale = await t.http().delete(`${RS}/me`).set(signedIn(subject, 301));
    expectProblem(stale, 401, 'RECENT_SIGN_IN_REQUIRED');
    expect(stale.headers['www-authenticate']).toMatch(STEP_UP);
    expect(stale.headers['www-authenticate']).toContain('max_age=300');
    expectProblem(
      await t
        .http()
        .delete(`${RS}/me`)
        .set({ Authorization: `Bearer ${bearerToken(subject)}` }),
      401,
      'RECENT_SIGN_IN_REQUIRED',
    );

    await t.dataSource.query('UPDATE `organizations` SET `requireMfa` = 1 WHERE `id` = ?', [
      team.organizationId,
    ]);
    const oneFactor = await t
      .http()
      .delete(`${RS}/me`)
      .set(signedIn(subject, 0, { amr: ['pwd'] }));
    expectProblem(oneFactor, 401, 'MFA_REQUIRED');
    expect(oneFactor.headers['www-authenticate']).toMatch(STEP_UP);
    const kept = await t.dataSource.query<{ firstName: string }[]>(
      'SELECT `firstName` FROM `memberships` WHERE `userId` = ?',
      [team.reader.userId],
    );
    expect(kept).toEqual([{ firstName: 'Remi' }]);
    await t
      .http()
      .delete(`${RS}/me`)
      .set(signedIn(subject, 0, { amr: ['pwd', 'otp'] }))
      .expect(204);
  });

  it('refuses the last administrator of an organization, and changes nothing', async () => {
    const team = await createTeam(t);
    const response = await t.http().delete(`${RS}/me`).set(signedIn(team.admin.subject));
    expectProblem(response, 409, 'LAST_ADMIN');
    expect(response.body.detail).toContain(String(team.organizationId));
    const user = await t.dataSource.query<{ deletedAt: unknown; email: string }[]>(
      'SELECT `deletedAt`, `email` FROM `users` WHERE `id` = ?',
      [team.admin.userId],
    );
    expect(user).toEqual([{ deletedAt: null, email: `${team.admin.subject}@example.com` }]);
    const sessions = await loginTeam(t, team);
    await t.http().get(`${USERS}/me`).set(sessions.admin).expect(200);
    expectProblem(
      await t.http().post(ERASE).set(ERASER).send({ userId: team.admin.userId }),
      409,
      'LAST_ADMIN',
    );
  });

  it("revokes the erased administrator's pending invitations with its right to invite", async () => {
    const team = await createTeam(t, { secondAdmin: true });
    const asAdmin = await t.login(team.admin.subject, team.organizationId);
    const planted = issued(await invite(t, asAdmin, { email: `${uniqueName('n')}@example.com` }));
    await t.http().post(ERASE).set(ERASER).send({ userId: team.admin.userId }).expect(200);
    const rows = await t.dataSource.query<{ revokedAt: unknown }[]>(
      'SELECT `revokedAt` FROM `invitations` WHERE `id` = ?',
      [planted.id],
    );
    expect(rows[0].revokedAt).not.toBeNull();
  });

  it('lets an operator erase by subject; refuses bad bodies and clients without the right', async () => {
    const team = await createTeam(t);
    const erased = await t
      .http()
      .post(ERASE)
      .set(ERASER)
      .send({ subject: team.plain.subject })
      .expect(200);
    expect(erased.body).toEqual({ data: { userId: team.plain.userId } });
    expectProblem(
      await t.http().post(ERASE).set(ERASER).send({ subject: team.plain.subject }),
      404,
      'USER_NOT_FOUND',
    );
    expectProblem(
      await t
        .http()
        .post(ERASE)
        .set(ERASER)
        .send({ issuer: 'https://elsewhere.example', subject: team.reader.subject }),
      404,
      'USER_NOT_FOUND',
    );
    for (const body of [
      {},
      { userId: team.reader.userId, subject: team.reader.subject },
      { userId: 'one' },
      { subject: '' },
      { userId: team.reader.userId, extra: true },
    ]) {
      expectProblem(await t.http().post(ERASE).set(ERASER).send(body), 400, 'VALIDATION_FAILED');
    }
    expectProblem(
      await t
        .http()
        .post(ERASE)
        .set(asService('reporting', 'organizations:read'))
        .send({ userId: team.reader.userId }),
      403,
      'INSUFFICIENT_SCOPE',
    );
    const live = await t.dataSource.query<{ deletedAt: unknown }[]>(
      'SELECT `deletedAt` FROM `users` WHERE `id` = ?',
      [team.reader.userId],
    );
    expect(live).toEqual([{ deletedAt: null }]);
  });

  it('leaves no name behind when an erasure races a PATCH of the person on another instance', async () => {
    for (let round = 0; round < 4; round++) {
      const team = await createTeam(t, { secondAdmin: true });
      const asAdmin: Headers = await t.login(team.admin.subject, team.organizationId);
      const name = uniqueName('Race');
      const [patch, erase] = await Promise.all([
        t.http().patch(`${USERS}/${team.reader.userId}`).set(asAdmin).send({ firstName: name }),
        other.http().post(ERASE).set(ERASER).send({ userId: team.reader.userId }),
      ]);
      expect(erase.status).toBe(200);
      expect([200, 404, 409, 412]).toContain(patch.status);
      expect(await everything(t.dataSource)).not.toContain(name);
    }
  });

  it('a client limited to some organizations may not erase', async () => {
    const limited = await startTestApp(engine, {
      demo: false,
      env: {
        SERVICE_CLIENTS: JSON.stringify({ desk: { rights: ['users:erase'], organizations: [1] } }),
      },
    });
    try {
      const organizationId = await createOrganization(limited.dataSource);
      expect(organizationId).toBeGreaterThan(0);
      expectProblem(
        await limited.http().post(ERASE).set(asService('desk', 'users:erase')).send({ userId: 1 }),
        403,
        'INSUFFICIENT_SCOPE',
      );
    } finally {
      await limited.close();
    }
  });
});
