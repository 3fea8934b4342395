import { DatabaseService } from '../src/database';
import { demoAdministrator, mintDemoTokens } from '../src/demo';
import { ENGINES } from './support/databases';
import { testStatements } from './support/sql-catalogue';
import { startTestApp, TestApp } from './support/test-app';

const ME = '/users-organizations/v1/rs/users/me';

/** The tokens of the start-up banner and `npm run token`, minted in process. */
describe.each(ENGINES)('demo tokens on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(engine);
  });
  afterAll(() => t?.close());

  it('names alice in organization 1 while she administers it, then another administrator', async () => {
    expect(await demoAdministrator(t.app)).toEqual({ subject: 'alice', organizationId: 1 });
    const tokens = await mintDemoTokens(t.app, t.config, { subject: 'alice', organizationId: 1 });
    const me = await t
      .http()
      .get(ME)
      .set({
        Authorization: `Bearer ${tokens.bearerToken}`,
        'x-session-token': tokens.sessionToken,
      })
      .expect(200);
    expect(me.body.data).toMatchObject({ userId: 1, organizationId: 1, scope: 1 });

    const database = testStatements(t.app.get(DatabaseService));
    await database.execute(
      'UPDATE `memberships` SET `scope` = 2 WHERE `userId` = 1 AND `organizationId` = 1',
    );
    try {
      expect(await demoAdministrator(t.app)).toEqual({ subject: 'dave', organizationId: 2 });
    } finally {
      await database.execute(
        'UPDATE `memberships` SET `scope` = 1 WHERE `userId` = 1 AND `organizationId` = 1',
      );
    }
  });

  it('names nobody on a database without the demo data', async () => {
    const empty = await startTestApp(engine, { demo: false });
    try {
      expect(await demoAdministrator(empty.app)).toBeNull();
    } finally {
      await empty.close();
    }
  });
});
