import { randomUUID } from 'node:crypto';
import { NOT_YET } from '../src/database';
import { RelayLease } from '../src/events';
import { ENGINES } from './support/databases';
import { deleteStream, MACHINE_NATS } from './support/nats';
import { createTeam, Team } from './support/organization';
import { sleep } from './support/processes';
import { deliveryCounts } from './support/relay-counts';
import { secondInstance, startTestApp, TestApp } from './support/test-app';
import { FAST_WEBHOOKS, ReceivedDelivery, WebhookReceiver } from './support/webhook-receiver';

const USERS = '/users-organizations/v1/rs/users';
const WEBHOOKS = '/users-organizations/v1/rs/webhooks';
const MACHINE_REDIS = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

type Headers = Record<string, string>;

/** Longer than any test: a held request stays in flight until the test lets it go. */
const SETTINGS = { ...FAST_WEBHOOKS, WEBHOOK_TIMEOUT_MS: '30000' };

/** Polls `read` until `holds`; what was read last when it never does. */
async function eventually<T>(read: () => Promise<T>, holds: (value: T) => boolean, ms = 15_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (holds(value)) return value;
    if (Date.now() > deadline) throw new Error(`Still not there: ${JSON.stringify(value)}`);
    await sleep(50);
  }
}

interface DeliveryRow {
  id: number | string;
  endpointId: number | string;
  eventId: string;
  status: string;
  attempts: number | string;
  createdAt: Date | string;
  nextAttemptAt: Date | string;
}

interface AttemptRow {
  deliveryId: number | string;
  attemptedAt: Date | string;
  outcome: string;
  responseStatus: number | string | null;
}

const lastNameOf = (delivery: ReceivedDelivery) =>
  (delivery.json.data.changes as { lastName?: { after: string } }).lastName?.after;

const time = (value: Date | string) =>
  value instanceof Date ? value.getTime() : Date.parse(`${value.replace(' ', 'T')}Z`);

/** The relay's state in the database: deliveries with their attempts, and what is left over. */
async function relayState(t: TestApp, endpointIds: number[]) {
  const list = endpointIds.map(() => '?').join(', ');
  const deliveries = await t.dataSource.query<DeliveryRow[]>(
    'SELECT d.`id`, d.`endpointId`, a.`eventId`, d.`status`, d.`attempts`, d.`createdAt`, ' +
      'd.`nextAttemptAt` FROM `webhook_deliveries` d JOIN `audit_events` a ON a.`id` = d.`auditEventId` ' +
      `WHERE d.\`endpointId\` IN (${list}) ORDER BY d.\`id\``,
    endpointIds,
  );
  const attempts = await t.dataSource.query<AttemptRow[]>(
    'SELECT t.`deliveryId`, t.`attemptedAt`, t.`outcome`, t.`responseStatus` ' +
      'FROM `webhook_delivery_attempts` t JOIN `webhook_deliveries` d ON d.`id` = t.`deliveryId` ' +
      `WHERE d.\`endpointId\` IN (${list}) ORDER BY t.\`id\``,
    endpointIds,
  );
  const [{ pending }] = await t.dataSource.query<{ pending: number | string }[]>(
    `SELECT COUNT(*) AS \`pending\` FROM \`webhook_deliveries\` WHERE \`status\` = 'pending' AND \`endpointId\` IN (${list})`,
    endpointIds,
  );
  const [{ unrelayed }] = await t.dataSource.query<{ unrelayed: number | string }[]>(
    'SELECT COUNT(*) AS `unrelayed` FROM `audit_events` WHERE `relayedAt` = ?',
    [NOT_YET],
  );
  return { deliveries, attempts, pending: Number(pending), unrelayed: Number(unrelayed) };
}

describe.each(ENGINES)('webhooks delivered in the relay pass on %s', (engine) => {
  let t: TestApp;
  let receiver: WebhookReceiver;
  let team: Team;
  let asAdmin: Headers;
  /** Requests held by the receiver until the test (or afterEach) lets them go. */
  let release: () => void = () => undefined;

  beforeAll(async () => {
    t = await startTestApp(engine, { env: SETTINGS });
    receiver = new WebhookReceiver();
    await receiver.start();
  });
  afterAll(async () => {
    release();
    await t.close();
    await receiver.close();
  });
  beforeEach(async () => {
    team = await createTeam(t);
    asAdmin = await t.login(team.admin.subject, team.organizationId);
    receiver.received.length = 0;
    receiver.answer = () => ({ status: 204 });
  });
  afterEach(() => release());

  async function endpoint(path = `/hook/${randomUUID()}`) {
    const response = await t
      .http()
      .post(WEBHOOKS)
      .set(asAdmin)
      .send({ url: receiver.url(path), events: ['membership.updated'] })
      .expect(201);
    return { id: (response.body.data as { id: number }).id, path };
  }
  const rename = (userId: number, lastName: string) =>
    t.http().patch(`${USERS}/${userId}`).set(asAdmin).send({ lastName }).expect(200);
  const at = (path: string) => receiver.received.filter((delivery) => delivery.path === path);

  it('records an inline delivery with the relayed mark: succeeded, its attempt, nothing left over', async () => {
    const hook = await endpoint();
    await rename(team.plain.userId, 'Inline');
    await receiver.waitFor(() => at(hook.path).length === 1);
    const state = await eventually(
      () => relayState(t, [hook.id]),
      (read) => read.deliveries.length === 1 && read.unrelayed === 0,
    );
    const [delivery] = state.deliveries;
    expect(delivery).toMatchObject({ eventId: at(hook.path)[0].id, status: 'succeeded' });
    expect(Number(delivery.attempts)).toBe(1);
    expect(state.attempts).toHaveLength(1);
    expect(state.attempts[0]).toMatchObject({ outcome: 'succeeded' });
    expect(Number(state.attempts[0].responseStatus)).toBe(204);
    // Sent before its row existed: the attempt was made in the relay's pass, not from the queue.
    expect(time(state.attempts[0].attemptedAt)).toBeLessThanOrEqual(time(delivery.createdAt));
    expect(state.pending).toBe(0);
  });

  it('delivers each event once, in order, to every endpoint', async () => {
    const hooks = [await endpoint(), await endpoint()];
    const names = Array.from({ length: 12 }, (_, index) => `Burst${index}`);
    for (const name of names) await rename(team.plain.userId, name);
    await receiver.waitFor(() => hooks.every((hook) => at(hook.path).length >= names.length));
    // Room for a repeat to arrive, were one on its way.
    await sleep(300);
    const state = await eventually(
      () => relayState(t, [hooks[0].id, hooks[1].id]),
      (read) => read.pending === 0 && read.unrelayed === 0,
    );
    const produced = state.deliveries
      .filter((delivery) => Number(delivery.endpointId) === hooks[0].id)
      .map((delivery) => delivery.eventId);
    expect(produced).toHaveLength(names.length);
    for (const hook of hooks) {
      const received = at(hook.path).map((delivery) => delivery.id);
      expect(deliveryCounts(produced, received)).toEqual({
        produced: names.length,
        delivered: names.length,
        duplicated: 0,
        lost: 0,
        outOfOrder: 0,
      });
    }
    expect(state.deliveries.every((delivery) => delivery.status === 'succeeded')).toBe(true);
    expect(state.attempts).toHaveLength(2 * names.length);
  });

  it('delivers each event once, in queue order, while one pass records and the next sends', async () => {
    const steady = await endpoint();
    const flaky = await endpoint();
    // Every fourth first attempt at the flaky endpoint fails: its later events wait in the queue
    // behind the retry, while the pass that failed may still be recording.
    const firstAttempts = new Set<string>();
    const succeeded = new Map<string, string[]>([
      [steady.path, []],
      [flaky.path, []],
    ]);
    receiver.answer = (delivery) => {
      const first = delivery.path === flaky.path && !firstAttempts.has(delivery.id);
      if (first) firstAttempts.add(delivery.id);
      if (first && firstAttempts.size % 4 === 0) return { status: 503 };
      succeeded.get(delivery.path)?.push(delivery.id);
      return { status: 204 };
    };
    const members = [team.plain, team.reader, team.manager];
    // Three members changed side by side, ten times each: commits land while passes run.
    await Promise.all(
      members.map(async (member, stream) => {
        for (let index = 0; index < 10; index++) await rename(member.userId, `S${stream}n${index}`);
      }),
    );
    const total = members.length * 10;
    const state = await eventually(
      () => relayState(t, [steady.id, flaky.id]),
      (read) => read.pending === 0 && read.unrelayed === 0 && read.deliveries.length === 2 * total,
    );
    await sleep(300);
    for (const hook of [steady, flaky]) {
      const queued = state.deliveries
        .filter((delivery) => Number(delivery.endpointId) === hook.id)
        .map((delivery) => delivery.eventId);
      expect(new Set(queued).size).toBe(total);
      // Answered with success once each, in the order of the endpoint's queue.
      expect(deliveryCounts(queued, succeeded.get(hook.path) ?? [])).toEqual({
        produced: total,
        delivered: total,
        duplicated: 0,
        lost: 0,
        outOfOrder: 0,
      });
    }
    expect(firstAttempts.size).toBe(total);
    expect(state.deliveries.every((delivery) => delivery.status === 'succeeded')).toBe(true);
  });

  it('lets a receiver that hangs hold up no other endpoint beyond the pass deadline', async () => {
    const slow = await endpoint('/slow');
    const fast = await endpoint('/fast');
    const held = new Promise<void>((resolve) => (release = resolve));
    receiver.answer = (delivery) => (delivery.path === '/slow' ? { hold: held } : { status: 204 });
    for (const name of ['One', 'Two', 'Three']) await rename(team.plain.userId, name);
    // All three reach the fast endpoint while the slow one still holds the first.
    await receiver.waitFor(() => at('/fast').length === 3, 10_000, 'deliveries to /fast');
    expect(at('/slow')).toHaveLength(1);

    release();
    await receiver.waitFor(() => at('/slow').length === 3, 10_000, 'deliveries to /slow');
    await sleep(300);
    const ids = at('/fast').map((delivery) => delivery.id);
    // The held send went on past the deadline and was recorded as it ended: never sent twice.
    expect(at('/slow').map((delivery) => delivery.id)).toEqual(ids);
    const state = await eventually(
      () => relayState(t, [slow.id, fast.id]),
      (read) => read.pending === 0 && read.unrelayed === 0,
    );
    expect(state.deliveries.map((delivery) => delivery.status)).toEqual(
      new Array(6).fill('succeeded'),
    );
    expect(state.attempts).toHaveLength(6);
  });

  it('retries an inline failure on the schedule, then delivers the rest in order', async () => {
    const hook = await endpoint();
    let failures = 1;
    receiver.answer = () => (failures-- > 0 ? { status: 503 } : { status: 204 });
    await rename(team.plain.userId, 'Refused');
    await rename(team.plain.userId, 'After');
    await receiver.waitFor(() => new Set(at(hook.path).map((d) => d.id)).size === 2);
    const state = await eventually(
      () => relayState(t, [hook.id]),
      (read) => read.pending === 0 && read.deliveries.length === 2,
    );
    const [first, second] = state.deliveries;
    expect(at(hook.path).map((delivery) => delivery.id)).toEqual([
      first.eventId,
      first.eventId,
      second.eventId,
    ]);
    const ofFirst = state.attempts.filter((attempt) => attempt.deliveryId === first.id);
    expect(ofFirst.map((attempt) => [attempt.outcome, Number(attempt.responseStatus)])).toEqual([
      ['failed', 503],
      ['succeeded', 204],
    ]);
    // The failure was the inline attempt (before the row existed); the retry waited for the
    // schedule's first delay, 0.2 s less its 20% jitter at most.
    expect(time(ofFirst[0].attemptedAt)).toBeLessThanOrEqual(time(first.createdAt));
    expect(time(ofFirst[1].attemptedAt) - time(ofFirst[0].attemptedAt)).toBeGreaterThanOrEqual(160);
    expect(Number(first.attempts)).toBe(2);
    expect(second.status).toBe('succeeded');
  });
});

describe.each([
  ['mariadb', 'Redis', { REDIS_URL: MACHINE_REDIS }],
  [
    'sqlite',
    'NATS',
    {
      EVENTS_NATS_URL: MACHINE_NATS,
      EVENTS_NATS_SUBJECT_PREFIX: `uo-test.wake${process.pid}`,
      EVENTS_NATS_STREAM: `UO_TEST_WAKE_${process.pid}`,
    },
  ],
] as const)('a commit on the instance without the lease, on %s through %s', (engine, _, env) => {
  let first: TestApp;
  let second: TestApp;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    // The poll is a minute away: only a wake-up brings the commit to the lease holder in time.
    const settings = {
      env: {
        ...SETTINGS,
        ...env,
        EVENTS_RELAY_POLL_MS: '60000',
      },
    };
    first = await startTestApp(engine, settings);
    second = await secondInstance(first, settings);
    receiver = new WebhookReceiver();
    await receiver.start();
  });
  afterAll(async () => {
    await second.close();
    await first.close();
    await receiver.close();
    if ('EVENTS_NATS_STREAM' in env) await deleteStream(MACHINE_NATS, env.EVENTS_NATS_STREAM);
  });

  it('is delivered without waiting for the poll', async () => {
    const holder = await eventually(
      () => Promise.resolve([first, second].filter((app) => app.app.get(RelayLease).held)),
      (held) => held.length === 1,
    );
    const other = holder[0] === first ? second : first;
    const team = await createTeam(other);
    const asAdmin = await other.login(team.admin.subject, team.organizationId);
    await other
      .http()
      .post(WEBHOOKS)
      .set(asAdmin)
      .send({ url: receiver.url('/woken'), events: ['membership.updated'] })
      .expect(201);
    for (const name of ['Woken', 'Again']) {
      await other
        .http()
        .patch(`${USERS}/${team.plain.userId}`)
        .set(asAdmin)
        .send({ lastName: name })
        .expect(200);
      // Well within the poll's minute (the waiter gives up after 10 s).
      await receiver.waitFor(
        () => receiver.received.some((delivery) => lastNameOf(delivery) === name),
        10_000,
        `the delivery of ${name}`,
      );
    }
    expect(holder[0].app.get(RelayLease).held).toBe(true);
    expect(other.app.get(RelayLease).held).toBe(false);
  });
});
