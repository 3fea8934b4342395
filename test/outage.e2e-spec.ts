import { createTestDatabase, mysqlUrl, MYSQL_SERVER, TestDatabase } from './support/databases';
import { TcpProxy } from './support/tcp-proxy';
import { startTestApp, TestApp } from './support/test-app';

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
