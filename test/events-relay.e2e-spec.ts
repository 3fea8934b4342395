import { join } from 'node:path';
import { Connection, createConnection, ResultSetHeader } from 'mysql2/promise';
import { DataSource } from 'typeorm';
import { AuditAction, newEventId } from '../src/audit/audit-event';
import { AuditRepository } from '../src/audit/audit.repository';
import { AuditEventEntity } from '../src/audit/entities/audit-event.entity';
import { SessionEntity } from '../src/auth';
import { OrganizationGroupEntity, ProfessionEntity } from '../src/catalogues';
import { buildDataSourceOptions } from '../src/database/data-source-options';
import { InvitationEntity } from '../src/invitations';
import { OrganizationEntity } from '../src/organizations';
import { UserEntity } from '../src/users';
import { MembershipEntity } from '../src/users-organizations';
import { seedDemoData } from '../src/demo';
import type { SqlExecutor, SqlParameter } from '../src/database/database.service';
import { createTestDatabase, MYSQL_SERVER, TestDatabase } from './support/databases';
import { createTeam, Team } from './support/organization';
import {
  cleanEnv,
  freePort,
  killAllProcesses,
  NodeProcess,
  REPO_ROOT,
  sleep,
} from './support/processes';
import { deliveryCounts } from './support/relay-counts';
import { startTestApp, TestApp } from './support/test-app';
import { bearerToken, TEST_BEARER_SECRET, TEST_SESSION_SECRET } from './support/tokens';
import { FAST_WEBHOOKS, WebhookReceiver } from './support/webhook-receiver';

const USERS = '/users-organizations/v1/rs/users';
const WEBHOOKS = '/users-organizations/v1/rs/webhooks';

type Headers = Record<string, string>;

/** The event ids of an organization's membership updates, in the order of their rows. */
async function producedIds(dataSource: DataSource, organizationId: number): Promise<string[]> {
  const rows = await dataSource.getRepository(AuditEventEntity).find({
    where: { organizationId, action: AuditAction.MembershipUpdated },
    order: { id: 'ASC' },
  });
  return rows.map((row) => row.eventId as string);
}

/** A raw connection of the test's own, as a SqlExecutor: to hold a transaction open. */
function rawExecutor(connection: Connection): SqlExecutor {
  return {
    engine: 'mysql',
    forUpdate: ' FOR UPDATE',
    forShare: ' LOCK IN SHARE MODE',
    query: async <Row>(sql: string, parameters: SqlParameter[] = []) =>
      (await connection.execute(sql, parameters))[0] as Row[],
    execute: async (sql: string, parameters: SqlParameter[] = []) =>
      ((await connection.execute(sql, parameters))[0] as ResultSetHeader).affectedRows,
    insert: async (sql: string, parameters: SqlParameter[] = []) =>
      ((await connection.execute(sql, parameters))[0] as ResultSetHeader).insertId,
  };
}

describe('the event relay on mariadb', () => {
  describe('transactions committing out of id order', () => {
    let t: TestApp;
    let receiver: WebhookReceiver;

    beforeAll(async () => {
      t = await startTestApp('mariadb', { env: FAST_WEBHOOKS });
      receiver = new WebhookReceiver();
      await receiver.start();
    });
    afterAll(async () => {
      await t.close();
      await receiver.close();
    });

    it('delivers an event whose transaction took its id first and committed last', async () => {
      const team = await createTeam(t);
      const asAdmin = await t.login(team.admin.subject, team.organizationId);
      await t
        .http()
        .post(WEBHOOKS)
        .set(asAdmin)
        .send({ url: receiver.url(), events: ['membership.updated'] })
        .expect(201);

      // A change's transaction, held open on a connection of the test's own: its audit row
      // (the app's own INSERT) draws its id now, and becomes visible only at COMMIT.
      const { database } = t.config as { database: { url: string } };
      const held = await createConnection({
        ...MYSQL_SERVER,
        database: new URL(database.url).pathname.slice(1),
      });
      const heldEventId = newEventId();
      try {
        await held.query('START TRANSACTION');
        await t.app.get(AuditRepository).record(rawExecutor(held), [
          {
            organizationId: team.organizationId,
            actorUserId: team.admin.userId,
            targetUserId: team.reader.userId,
            action: AuditAction.MembershipUpdated,
            changes: { lastName: { before: 'Reader', after: 'Held' } },
            requestId: 'held-transaction',
            createdAt: new Date(),
            eventId: heldEventId,
            data: { membership: { userId: team.reader.userId } },
          },
        ]);
        const [[{ heldId }]] = (await held.query('SELECT LAST_INSERT_ID() AS heldId')) as [
          { heldId: number }[],
          unknown,
        ];

        // Five changes draw later ids and commit first; the relay delivers all five.
        for (const name of ['One', 'Two', 'Three', 'Four', 'Five']) {
          await t
            .http()
            .patch(`${USERS}/${team.plain.userId}`)
            .set(asAdmin)
            .send({ lastName: name })
            .expect(200);
        }
        await receiver.waitFor(() => receiver.firstSeenIds().length === 5);
        const later = await t.dataSource
          .getRepository(AuditEventEntity)
          .findBy({ organizationId: team.organizationId, action: AuditAction.MembershipUpdated });
        expect(later.every((row) => Number(row.id) > Number(heldId))).toBe(true);
        await sleep(300);
        expect(receiver.firstSeenIds()).not.toContain(heldEventId);

        await held.query('COMMIT');
      } finally {
        await held.end();
      }
      await receiver.waitFor(() => receiver.firstSeenIds().length === 6);
      await sleep(300);

      // Delivered in commit order: the five, then the one that committed last.
      const produced = await producedIds(t.dataSource, team.organizationId);
      const commitOrder = [...produced.filter((id) => id !== heldEventId), heldEventId];
      const received = receiver.received.map((delivery) => delivery.id);
      const counts = deliveryCounts(commitOrder, received);
      console.log(`out-of-order commits: ${JSON.stringify(counts)}`);
      expect(counts).toEqual({ produced: 6, delivered: 6, duplicated: 0, lost: 0, outOfOrder: 0 });
      expect(produced[0]).toBe(heldEventId);
    });
  });

  describe('two app processes, the delivering one killed mid-delivery', () => {
    let database: TestDatabase;
    let dataSource: DataSource;
    let receiver: WebhookReceiver;
    const apps: NodeProcess[] = [];

    beforeAll(async () => {
      database = await createTestDatabase('mariadb');
      receiver = new WebhookReceiver();
      await receiver.start();
    });
    afterAll(async () => {
      await killAllProcesses();
      if (dataSource?.isInitialized) await dataSource.destroy();
      await receiver.close();
      await database.drop();
    });

    async function startApp(): Promise<{ process: NodeProcess; port: number }> {
      const port = await freePort();
      const process = new NodeProcess([join(REPO_ROOT, 'dist', 'main.js')], {
        env: cleanEnv({
          NODE_ENV: 'test',
          PORT: String(port),
          DATABASE_URL: database.url,
          AUTH_JWT_SECRET: TEST_BEARER_SECRET,
          SESSION_TOKEN_SECRET: TEST_SESSION_SECRET,
          LOG_LEVEL: 'info',
          ...FAST_WEBHOOKS,
          // Longer than the test: the held delivery is in flight when its process dies.
          WEBHOOK_TIMEOUT_MS: '60000',
        }),
      });
      apps.push(process);
      await process.waitForStdout(/Serving on/, 60_000);
      return { process, port };
    }

    it('delivers every event at least once, in order, duplicates only around the kill', async () => {
      const first = await startApp(); // runs the migrations
      const second = await startApp();
      // The test's own connection, for the demo data and the team (no app, so no third relay).
      dataSource = new DataSource(
        buildDataSourceOptions(
          {
            type: 'mysql',
            url: database.url,
            poolSize: 2,
            statementTimeoutMs: 5000,
            poolTimeoutMs: 5000,
            defaultIssuer: '',
          },
          [
            UserEntity,
            OrganizationEntity,
            ProfessionEntity,
            OrganizationGroupEntity,
            MembershipEntity,
            SessionEntity,
            InvitationEntity,
            AuditEventEntity,
          ],
        ),
      );
      await dataSource.initialize();
      await seedDemoData(dataSource, ''); // the professions the team's members have
      const team: Team = await createTeam({ dataSource } as TestApp);

      const base = (port: number) => `http://127.0.0.1:${port}`;
      const headersFor = async (port: number): Promise<Headers> => {
        const bearer = bearerToken(team.admin.subject);
        const response = await fetch(`${base(port)}/users-organizations/v1/rs/sessions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
          body: JSON.stringify({ organizationId: team.organizationId }),
        });
        const body = (await response.json()) as { data: { sessionToken: string } };
        return { authorization: `Bearer ${bearer}`, 'x-session-token': body.data.sessionToken };
      };
      const headers = new Map([
        [first.port, await headersFor(first.port)],
        [second.port, await headersFor(second.port)],
      ]);
      const registered = await fetch(`${base(first.port)}${WEBHOOKS}`, {
        method: 'POST',
        headers: { ...headers.get(first.port), 'content-type': 'application/json' },
        body: JSON.stringify({ url: receiver.url(), events: ['membership.updated'] }),
      });
      expect(registered.status).toBe(201);

      // Which process holds the lease, by its pid in the holder.
      const holderPid = async () => {
        const [row] = await dataSource.query<{ holder: string }[]>(
          "SELECT `holder` FROM `event_relay_leases` WHERE `name` = 'relay'",
        );
        return Number(row.holder.split(':').at(-2));
      };
      const pid = await holderPid();
      const victim = [first, second].find((app) => app.process.child.pid === pid);
      const survivor = [first, second].find((app) => app !== victim);
      if (victim === undefined || survivor === undefined) throw new Error(`No app has pid ${pid}`);

      // The 10th event's delivery is held by the receiver: the victim dies while sending it.
      let killedAt = 0;
      let heldArrived!: () => void;
      const tenthArrived = new Promise<void>((resolve) => (heldArrived = resolve));
      // Answered once the victim is dead: if a slow machine let the lease pass to the survivor
      // before the kill, the survivor is the one waiting here and must not wait forever.
      let victimKilled!: () => void;
      const released = new Promise<void>((resolve) => (victimKilled = resolve));
      receiver.answer = () => {
        if (killedAt === 0 && receiver.firstSeenIds().length === 10) {
          heldArrived();
          return { hold: released };
        }
        return { status: 204 };
      };
      const patch = async (port: number, lastName: string) => {
        try {
          await fetch(`${base(port)}${USERS}/${team.plain.userId}`, {
            method: 'PATCH',
            headers: { ...headers.get(port), 'content-type': 'application/json' },
            body: JSON.stringify({ lastName }),
          });
        } catch {
          // The victim died with this request: whether it committed, the database says.
        }
      };

      const sending = (async () => {
        for (let index = 0; index < 30 && killedAt === 0; index++) {
          await patch(index % 2 === 0 ? victim.port : survivor.port, `Before ${index}`);
        }
      })();
      await tenthArrived;
      const beforeKill = receiver.firstSeenIds();
      victim.process.child.kill('SIGKILL');
      killedAt = Date.now();
      await victim.process.exited;
      victimKilled();
      await sending;
      for (let index = 0; index < 10; index++) await patch(survivor.port, `After ${index}`);

      const produced = await producedIds(dataSource, team.organizationId);
      await receiver.waitFor(
        () => produced.every((id) => receiver.firstSeenIds().includes(id)),
        45_000,
        'delivery of every produced event',
      );
      expect(await holderPid()).toBe(survivor.process.child.pid);

      const received = receiver.received.map((delivery) => delivery.id);
      const counts = deliveryCounts(produced, received);
      const firstAfterKill = receiver.received.find((delivery) => delivery.receivedAt > killedAt);
      console.log(
        `kill test: ${JSON.stringify(counts)}; takeover: first delivery ${
          (firstAfterKill?.receivedAt ?? killedAt) - killedAt
        } ms after SIGKILL`,
      );
      expect(counts.lost).toBe(0);
      expect(counts.outOfOrder).toBe(0);
      expect(counts.produced).toBeGreaterThanOrEqual(20);
      // A repeat is an event the victim had sent and not recorded as delivered when it died:
      // one received before the kill, sent again with the same webhook-id.
      const repeated = received.filter((id, index) => received.indexOf(id) !== index);
      for (const id of repeated) expect(beforeKill).toContain(id);
    });
  });
});
