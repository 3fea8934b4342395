import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuditEventEntity } from '../src/audit/entities/audit-event.entity';
import { ENGINES } from './support/databases';
import { invite, issued } from './support/invitations';
import {
  createStream,
  deleteStream,
  MACHINE_NATS,
  PrivateNatsServer,
  readStream,
  StreamMessage,
  waitForStream,
} from './support/nats';
import { LOG_GUARD } from './support/log-guard';
import { createTeam, Team } from './support/organization';
import { freePort, sleep } from './support/processes';
import { deliveryCounts } from './support/relay-counts';
import { NO_RATE_LIMITS, startTestApp, TestApp } from './support/test-app';

const USERS = '/users-organizations/v1/rs/users';

type Headers = Record<string, string>;

/** A prefix and a stream of this run's own: runs sharing a NATS server never see each other. */
function natsEnv(url: string) {
  const run = randomBytes(6).toString('hex');
  return {
    ...NO_RATE_LIMITS,
    EVENTS_NATS_URL: url,
    EVENTS_NATS_SUBJECT_PREFIX: `uo-test.${run}`,
    EVENTS_NATS_STREAM: `UO_TEST_${run}`,
  };
}

/** JetStream's duplicate window for the tests' streams: shorter than the waits below. */
const DUPLICATE_WINDOW_MS = 1000;

async function startStream(server: string, env: ReturnType<typeof natsEnv>) {
  await createStream(
    server,
    env.EVENTS_NATS_STREAM,
    env.EVENTS_NATS_SUBJECT_PREFIX,
    DUPLICATE_WINDOW_MS,
  );
}

const queued = async (dataSource: DataSource) =>
  Number(
    (await dataSource.query<{ n: unknown }[]>('SELECT COUNT(*) AS n FROM `event_broker_queue`'))[0]
      .n,
  );

/**
 * The end state once every event is published: the broker queue empty and still empty after
 * twice the duplicate window (a publisher that never clears its queue publishes again on every
 * pass, and JetStream would store each repeat once the window has passed).
 */
async function expectDrained(dataSource: DataSource) {
  const deadline = Date.now() + 10_000;
  while ((await queued(dataSource)) > 0 && Date.now() < deadline) await sleep(100);
  expect(await queued(dataSource)).toBe(0);
  await sleep(2 * DUPLICATE_WINDOW_MS);
  expect(await queued(dataSource)).toBe(0);
}

/** Event ids of an organization's events, in the order of their rows. */
async function producedIds(dataSource: DataSource, organizationId: number) {
  const rows = await dataSource
    .getRepository(AuditEventEntity)
    .find({ where: { organizationId }, order: { id: 'ASC' } });
  return rows.map((row) => row.eventId as string);
}

const ofOrganization = (messages: StreamMessage[], organizationId: number) =>
  messages.filter((message) => message.body.organizationId === organizationId);

describe.each(ENGINES)('NATS JetStream on %s', (engine) => {
  let t: TestApp;
  let env: ReturnType<typeof natsEnv>;
  let team: Team;
  let asAdmin: Headers;

  beforeAll(async () => {
    env = natsEnv(MACHINE_NATS);
    await startStream(MACHINE_NATS, env);
    t = await startTestApp(engine, { env });
    team = await createTeam(t);
    asAdmin = await t.login(team.admin.subject, team.organizationId);
  });
  afterAll(async () => {
    await t.close();
    await deleteStream(MACHINE_NATS, env.EVENTS_NATS_STREAM);
  });

  it('publishes every event once, in order, to <prefix>.<organizationId>.<type> with its id as Nats-Msg-Id', async () => {
    for (const lastName of ['One', 'Two', 'Three']) {
      await t
        .http()
        .patch(`${USERS}/${team.plain.userId}`)
        .set(asAdmin)
        .send({ lastName })
        .expect(200);
    }
    const invitation = issued(
      await invite(t, asAdmin, { email: `nats.${engine}@example.com` }).expect(201),
    );
    const produced = await producedIds(t.dataSource, team.organizationId);
    expect(produced).toHaveLength(5); // the session opened, 3 updates, 1 invitation
    await waitForStream(MACHINE_NATS, env.EVENTS_NATS_STREAM, produced.length);
    await expectDrained(t.dataSource);

    const messages = ofOrganization(
      await readStream(MACHINE_NATS, env.EVENTS_NATS_STREAM),
      team.organizationId,
    );
    const counts = deliveryCounts(
      produced,
      messages.map((message) => message.msgId as string),
    );
    console.log(`NATS (${engine}): ${JSON.stringify(counts)}`);
    expect(counts).toEqual({ produced: 5, delivered: 5, duplicated: 0, lost: 0, outOfOrder: 0 });
    for (const message of messages) {
      expect(message.subject).toBe(
        `${env.EVENTS_NATS_SUBJECT_PREFIX}.${team.organizationId}.${message.body.type}`,
      );
      expect(message.body.id).toBe(message.msgId);
    }
    expect(messages.map((message) => message.body.type)).toEqual([
      'session.opened',
      'membership.updated',
      'membership.updated',
      'membership.updated',
      'invitation.created',
    ]);
    expect(messages.at(-1)?.raw).not.toContain(invitation.token);
  });
});

describe('NATS JetStream across a NATS restart, on mariadb', () => {
  let nats: PrivateNatsServer;
  let t: TestApp;
  let env: ReturnType<typeof natsEnv>;

  beforeAll(async () => {
    nats = new PrivateNatsServer(await freePort());
    await nats.start();
    env = natsEnv(nats.url);
    await startStream(nats.url, env);
    t = await startTestApp('mariadb', { env });
  });
  afterAll(async () => {
    await t.close();
    await nats.remove();
  });

  it('publishes every event once and in order, those made while NATS was down included', async () => {
    const team = await createTeam(t);
    const asAdmin = await t.login(team.admin.subject, team.organizationId);
    const rename = async (count: number, label: string) => {
      for (let index = 0; index < count; index++) {
        await t
          .http()
          .patch(`${USERS}/${team.plain.userId}`)
          .set(asAdmin)
          .send({ lastName: `${label} ${index}` })
          .expect(200);
      }
    };
    await rename(10, 'Before');
    await waitForStream(nats.url, env.EVENTS_NATS_STREAM, 11);

    // The publisher says so once; a publish in flight when NATS went may fail too.
    LOG_GUARD.expect(/Lost the NATS connection/);
    LOG_GUARD.allow(/NATS publish failed/);
    await nats.stop();
    await rename(10, 'During'); // committed while NATS is down: waiting in the queue
    await sleep(500);
    await nats.start();
    await rename(10, 'After');

    const produced = await producedIds(t.dataSource, team.organizationId);
    expect(produced).toHaveLength(31);
    await waitForStream(nats.url, env.EVENTS_NATS_STREAM, produced.length, 30_000);
    await expectDrained(t.dataSource);
    const messages = ofOrganization(
      await readStream(nats.url, env.EVENTS_NATS_STREAM),
      team.organizationId,
    );
    const counts = deliveryCounts(
      produced,
      messages.map((message) => message.msgId as string),
    );
    console.log(`NATS restart: ${JSON.stringify(counts)}`);
    expect(counts).toEqual({ produced: 31, delivered: 31, duplicated: 0, lost: 0, outOfOrder: 0 });
  });
});
