import { createConnection, RowDataPacket } from 'mysql2/promise';
import { createTestDatabase, mysqlUrl, MYSQL_SERVER, TestDatabase } from './support/databases';
import { TcpProxy } from './support/tcp-proxy';
import { startTestApp, TestApp } from './support/test-app';
import { LOG_GUARD } from './support/log-guard';

const USERS = '/users-organizations/v1/rs/users';

/** MariaDB only: the embedded database cannot go away under a running process. */
describe('database outage on mariadb', () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let t: TestApp;

  beforeAll(async () => {
    database = await createTestDatabase('mariadb');
    proxy = new TcpProxy(MYSQL_SERVER.host, MYSQL_SERVER.port);
    await proxy.start();
    const name = new URL(database.url).pathname.slice(1);
    t = await startTestApp('mariadb', { databaseUrl: mysqlUrl(name, '127.0.0.1', proxy.port) });
  });
  afterAll(async () => {
    await proxy?.start();
    await t?.close();
    await proxy?.stop();
    await database?.drop();
  });

  it('answers 503 problem+json with Retry-After, no SQL, then serves again when it is back', async () => {
    const headers = await t.login('alice', 1);
    await t.http().patch(`${USERS}/me`).set(headers).send({ firstName: 'Before' }).expect(200);

    // The outage is logged: each 503, the failed probe, the relay's pause.
    LOG_GUARD.expect(/Database unavailable/, /request failed/);
    LOG_GUARD.allow(/Health Check has failed/, /The event relay paused/);
    await proxy.stop();
    for (const send of [
      () => t.http().patch(`${USERS}/me`).set(headers).send({ firstName: 'During' }),
      () => t.http().get(`${USERS}/me`).set(headers),
    ]) {
      const response = await send();
      expect(response.status).toBe(503);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.headers['retry-after']).toBe('5');
      expect(response.body.code).toBe('DATABASE_UNAVAILABLE');
      expect(JSON.stringify(response.body)).not.toMatch(/SELECT|UPDATE|memberships|ECONN|at /);
    }
    await t.http().get('/health/ready').expect(503);
    await t.http().get('/health/live').expect(200);

    await proxy.start();
    let status = 0;
    for (let attempt = 0; attempt < 20 && status !== 200; attempt++) {
      status = (await t.http().patch(`${USERS}/me`).set(headers).send({ firstName: 'After' }))
        .status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(status).toBe(200);
    const read = await t.http().get(`${USERS}/me`).set(headers).expect(200);
    expect(read.body.data.firstName).toBe('After');
  });
});

/**
 * DATABASE_STATEMENT_TIMEOUT_MS and DATABASE_POOL_TIMEOUT_MS: once the app's transaction waits on
 * a row lock held by the test, the lock is kept for at most a grace period longer than the
 * configured deadline and shorter than the default one, so the answer tells which deadline
 * applied: under the default, the request would be served once the lock is released.
 */
describe('database deadlines set by the environment on mariadb', () => {
  const lockAlice =
    'SELECT m.`id` FROM `memberships` m JOIN `users` u ON u.`id` = m.`userId` ' +
    "WHERE u.`subject` = 'alice' AND m.`organizationId` = 1 FOR UPDATE";
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  interface LockedAlice {
    t: TestApp;
    headers: Record<string, string>;
    /** Resolves once a transaction of the app's database waits for a lock, or `pending` settled. */
    appWaits(pending: Promise<unknown>): Promise<void>;
    /** Waits for `answer` at most `graceMs`, then releases the lock; resolves to the answer. */
    answerWithin<T>(answer: Promise<T>, graceMs: number): Promise<T>;
  }

  async function withLockedAlice(
    env: Record<string, string>,
    run: (locked: LockedAlice) => Promise<void>,
  ): Promise<void> {
    const t = await startTestApp('mariadb', { env });
    const url = new URL(t.config.database.type === 'mysql' ? t.config.database.url : '');
    const holder = await createConnection(url.toString());
    try {
      const headers = await t.login('alice', 1);
      await holder.query('START TRANSACTION');
      await holder.query(lockAlice);
      await run({
        t,
        headers,
        async appWaits(pending) {
          let settled = false;
          const settle = () => void (settled = true);
          pending.then(settle, settle);
          // InnoDB refreshes these tables only after 100 ms without a read: poll slower.
          for (let attempt = 0; attempt < 60 && !settled; attempt++) {
            const [rows] = await holder.query<RowDataPacket[]>(
              'SELECT COUNT(*) AS waiting FROM information_schema.INNODB_TRX t ' +
                'JOIN information_schema.PROCESSLIST p ON p.`ID` = t.`trx_mysql_thread_id` ' +
                "WHERE t.`trx_state` = 'LOCK WAIT' AND p.`DB` = ?",
              [url.pathname.slice(1)],
            );
            if (Number(rows[0].waiting) > 0) return;
            await sleep(150);
          }
          if (!settled) throw new Error('the app never waited on the lock');
        },
        async answerWithin(answer, graceMs) {
          await Promise.race([answer, sleep(graceMs)]);
          await holder.query('ROLLBACK');
          return answer;
        },
      });
    } finally {
      await holder.end();
      await t.close();
    }
  }

  it('answers 503 to a statement that outlives DATABASE_STATEMENT_TIMEOUT_MS, and writes nothing', async () => {
    const env = { DATABASE_STATEMENT_TIMEOUT_MS: '300' };
    LOG_GUARD.expect(/Database unavailable: PROTOCOL_SEQUENCE_TIMEOUT/, /request failed/);
    await withLockedAlice(env, async ({ t, headers, appWaits, answerWithin }) => {
      const patch = t.http().patch(`${USERS}/me`).set(headers).send({ firstName: 'Late' }).then();
      await appWaits(patch);
      // Past 300 ms, before the default 2.5 s.
      const response = await answerWithin(patch, 1500);
      expect(response.status).toBe(503);
      expect(response.body.code).toBe('DATABASE_UNAVAILABLE');
      const read = await t.http().get(`${USERS}/me`).set(headers).expect(200);
      expect(read.body.data.firstName).not.toBe('Late');
    });
  });

  it('answers 503 to a request that waits for a connection past DATABASE_POOL_TIMEOUT_MS', async () => {
    const env = {
      DATABASE_POOL_SIZE: '1',
      DATABASE_POOL_TIMEOUT_MS: '200',
      DATABASE_STATEMENT_TIMEOUT_MS: '10000',
    };
    LOG_GUARD.expect(/Database unavailable/, /request failed/);
    await withLockedAlice(env, async ({ t, headers, appWaits, answerWithin }) => {
      const patch = t.http().patch(`${USERS}/me`).set(headers).send({ firstName: 'Held' }).then();
      // The pool's only connection now waits on alice's row.
      await appWaits(patch);
      const read = t.http().get(`${USERS}/me`).set(headers).then();
      // Past 200 ms, before the default 1.5 s.
      const waited = await answerWithin(read, 1000);
      expect(waited.status).toBe(503);
      expect(waited.body.code).toBe('DATABASE_UNAVAILABLE');
      expect((await patch).status).toBe(200);
    });
  });
});
