import diagnosticsChannel from 'node:diagnostics_channel';
import { join } from 'node:path';
import { createConnection, Connection } from 'mysql2/promise';
import { DataSource } from 'typeorm';
import { AuditEventEntity } from '../src/audit/entities/audit-event.entity';
import {
  DatabaseService,
  SQL_STATEMENT_CHANNEL,
  SqlStatementMessage,
} from '../src/database/database.service';
import { MembershipEntity } from '../src/users-organizations/entities/membership.entity';
import { UserEntity } from '../src/users/entities/user.entity';
import { ENGINES, MYSQL_SERVER } from './support/databases';
import { createMember, createOrganization, membershipRow } from './support/factories';
import {
  acceptById,
  acceptByToken,
  invite,
  issued,
  MY_INVITATIONS,
  verifiedBearer,
} from './support/invitations';
import { jwkOf, startKeyServer } from './support/key-server';
import { createTeam, loginTeam, Team } from './support/organization';
import {
  cleanEnv,
  freePort,
  killAllProcesses,
  NodeProcess,
  runNode,
  scratchCheckout,
} from './support/processes';
import { StatementCounter } from './support/statement-counter';
import { NO_RATE_LIMITS, startTestApp, TestApp } from './support/test-app';
import { bearerToken, PRODUCTION_IDENTITY, rsaKeyPair } from './support/tokens';
import { DENIALS, LOG_GUARD } from './support/log-guard';
import { testStatements } from './support/sql-catalogue';

// This file's requests are refused on purpose: the denials' log lines are expected.
LOG_GUARD.allowInFile(DENIALS);

/**
 * The security suite's identity findings (issue 10): each numbered finding of the audit is a
 * named test here, on MariaDB and SQLite, that failed on the code the audit read and passes now.
 */
const BASE = '/users-organizations/v1/rs';
const USERS = `${BASE}/users`;
const SESSIONS = `${BASE}/sessions`;
const MY_ORGANIZATIONS = `${BASE}/me/organizations`;
const START_TIMEOUT_MS = 60_000;

type Headers = Record<string, string>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

afterAll(() => killAllProcesses());

describe.each(ENGINES)('security, identity findings on %s', (engine) => {
  let t: TestApp;
  let team: Team;
  let asAdmin: Headers;
  let asManager: Headers;
  let asPlain: Headers;

  beforeAll(async () => {
    // Lock waits the tests cause on purpose must not hit the statement deadline on a busy host.
    t = await startTestApp(engine, {
      env: { ...NO_RATE_LIMITS, DATABASE_STATEMENT_TIMEOUT_MS: '30000' },
    });
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    team = await createTeam(t);
    ({ admin: asAdmin, manager: asManager, plain: asPlain } = await loginTeam(t, team));
  });

  const patch = (userId: number | string, headers: Headers, body: object) =>
    t.http().patch(`${USERS}/${userId}`).set(headers).send(body);

  it('finding 1: no administrator binds a subject to an email; invitations go to whoever proves the email', async () => {
    const asDave = await t.login('dave', 2); // administrator of organization 2
    const victim = { subject: `victim-${engine}`, email: `victim.${engine}@corp.example` };
    // The route the attack used is gone: no user, no subject, no membership.
    const planted = await t.http().post(USERS).set(asDave).send({
      email: victim.email,
      subject: 'attacker',
      firstName: 'V',
      lastName: 'V',
    });
    expect([404, 405]).toContain(planted.status);
    expect(await t.dataSource.getRepository(UserEntity).countBy({ subject: 'attacker' })).toBe(0);
    // The attacker may invite the victim to its own organization; that binds nothing.
    const lyon = issued(await invite(t, asDave, { email: victim.email }).expect(201));
    // Organization 1 invites the victim: the attacker, signed in as itself, sees nothing of it,
    // cannot accept it, and cannot enter organization 1.
    const paris = issued(await invite(t, asAdmin, { email: victim.email }).expect(201));
    const attacker = verifiedBearer('attacker', 'attacker@evil.example');
    expect((await t.http().get(MY_INVITATIONS).set(attacker).expect(200)).body.data).toEqual([]);
    expect((await acceptById(t, attacker, paris.id).expect(404)).body.code).toBe(
      'INVITATION_NOT_FOUND',
    );
    await t
      .http()
      .post(SESSIONS)
      .set(attacker)
      .send({ organizationId: team.organizationId })
      .expect(403);
    // The victim signs in with its own subject, sees both, accepts organization 1's.
    const asVictim = verifiedBearer(victim.subject, victim.email);
    const mine = await t.http().get(MY_INVITATIONS).set(asVictim).expect(200);
    expect(mine.body.data.map((view: { id: number }) => view.id).sort()).toEqual(
      [lyon.id, paris.id].sort(),
    );
    const joined = await acceptById(t, asVictim, paris.id).expect(201);
    const user = await t.dataSource
      .getRepository(UserEntity)
      .findOneByOrFail({ id: joined.body.data.userId as number });
    expect(user.subject).toBe(victim.subject);
    await t
      .http()
      .post(SESSIONS)
      .set(asVictim)
      .send({ organizationId: team.organizationId })
      .expect(201);
  });

  it('finding 2: a look-alike verified email (cörp for corp) claims nothing; the real owner joins', async () => {
    const invitation = issued(
      await invite(t, asAdmin, { email: `victim.${engine}.2@corp.example` }).expect(201),
    );
    const lookAlike = verifiedBearer(`look-alike-${engine}`, `victim.${engine}.2@cörp.example`);
    expect((await t.http().get(MY_INVITATIONS).set(lookAlike).expect(200)).body.data).toEqual([]);
    expect((await acceptById(t, lookAlike, invitation.id).expect(404)).body.code).toBe(
      'INVITATION_NOT_FOUND',
    );
    const owner = verifiedBearer(`owner-${engine}`, `Victim.${engine}.2@Corp.Example`);
    await acceptById(t, owner, invitation.id).expect(201);
  });

  it('finding 3: inviting tells nothing about users outside the organization', async () => {
    // dave@example.com is a user of organization 2 only; the other address is nobody's.
    const outsider = await invite(t, asAdmin, { email: 'dave@example.com' }).expect(201);
    const nobody = await invite(t, asAdmin, { email: `nobody.${engine}@nowhere.example` }).expect(
      201,
    );
    const shape = (body: Record<string, unknown>) => Object.keys(body.data as object).sort();
    expect(shape(outsider.body)).toEqual(shape(nobody.body));
    expect(outsider.body.data.acceptedByUserId).toBeNull();
    // Nothing in organization 2 changed, and dave joins only if dave accepts.
    expect(await membershipRow(t.dataSource, 4, 2)).toMatchObject({ deletedAt: null, scope: 1 });
    expect(
      await t.dataSource
        .getRepository(MembershipEntity)
        .countBy({ userId: 4, organizationId: team.organizationId }),
    ).toBe(0);
  });

  it('finding 7: credentials in headers nobody lists are not logged', async () => {
    const lines: string[] = [];
    const logged = await startTestApp(engine, {
      env: NO_RATE_LIMITS,
      demo: false,
      logger: undefined,
      logDestination: { write: (chunk: string) => void lines.push(chunk) },
    });
    try {
      const secrets = {
        'x-forwarded-authorization': 'Bearer forwarded-secret-7f3a',
        'x-api-key': 'api-key-secret-19be',
        'x-amzn-oidc-accesstoken': 'oidc-secret-c0de',
        'x-auth-token': 'auth-token-secret-5e5e',
      };
      await logged.http().get('/health/live').set(secrets).expect(200);
      await logged.http().get(MY_ORGANIZATIONS).set(secrets).expect(401);
      const text = lines.join('');
      expect(text).toContain('x-forwarded-authorization');
      for (const value of Object.values(secrets)) expect(text).not.toContain(value.slice(-9));
    } finally {
      await logged.close();
    }
  });

  it('finding 8: a charset other than utf-8 is 415, and changes nothing', async () => {
    const before = await membershipRow(t.dataSource, team.plain.userId, team.organizationId);
    for (const charset of ['utf-16', 'utf-16le', 'iso-8859-1', 'latin1', 'utf8', 'nonsense']) {
      const response = await t
        .http()
        .patch(`${USERS}/me`)
        .set(asPlain)
        .set('content-type', `application/json; charset=${charset}`)
        .send(Buffer.from(JSON.stringify({ firstName: 'Encoded' }), 'utf8'));
      expect({ charset, status: response.status, code: response.body.code }).toEqual({
        charset,
        status: 415,
        code: 'UNSUPPORTED_MEDIA_TYPE',
      });
    }
    expect(await membershipRow(t.dataSource, team.plain.userId, team.organizationId)).toEqual(
      before,
    );
    for (const contentType of [
      'application/json; charset=utf-8',
      'application/json; charset=UTF-8',
    ]) {
      await t
        .http()
        .patch(`${USERS}/me`)
        .set(asPlain)
        .set('content-type', contentType)
        .send(JSON.stringify({ firstName: 'Encoded' }))
        .expect(200);
    }
  });

  it('finding 9b: a member sending scope is refused before any transaction or lock', async () => {
    const counter = new StatementCounter();
    try {
      const response = await patch('me', asPlain, { scope: 1, firstName: 'X' });
      expect({ status: response.status, code: response.body.code }).toEqual({
        status: 403,
        code: 'SCOPE_CHANGE_FORBIDDEN',
      });
      // The session read, and nothing else: no transaction, no administrator row locked.
      expect(counter.statements).toHaveLength(1);
      expect(counter.statements[0]).toMatch(/^SELECT s\.`id` AS `sessionId`/);
    } finally {
      counter.restore();
    }
  });

  it('finding 9c: a deleted user whose email has an invitation is 401 everywhere, never 500', async () => {
    const subject = `deleted-${engine}-${Date.now()}`;
    const email = `${subject}@invited.example`;
    const invitation = issued(await invite(t, asAdmin, { email }).expect(201));
    const organizationId = await createOrganization(t.dataSource, 'Where the user was');
    const { userId } = await createMember(t.dataSource, { organizationId, subject });
    await t.dataSource.getRepository(UserEntity).update({ id: userId }, { deletedAt: new Date() });
    const signedIn = verifiedBearer(subject, email);
    for (const response of [
      await t.http().get(MY_INVITATIONS).set(signedIn),
      await t.http().get(MY_ORGANIZATIONS).set(signedIn),
      await acceptById(t, signedIn, invitation.id),
      await acceptByToken(t, signedIn, invitation.token),
      await t.http().post(SESSIONS).set(signedIn).send({ organizationId }),
    ]) {
      expect({ status: response.status, code: response.body.code }).toEqual({
        status: 401,
        code: 'USER_UNKNOWN',
      });
    }
    expect(await t.dataSource.getRepository(UserEntity).countBy({ subject })).toBe(1);
  });

  it('finding 9a: a manager demoted while its PATCH is in flight never commits with the old rights', async () => {
    const { day, night } = team.groups;
    const demote = () =>
      patch(team.manager.userId, asAdmin, {
        permissions: { group: night, read: [day, night], manage: [] },
      }).then((response) => response);
    const managerPatch = () =>
      patch(team.plain.userId, asManager, { lastName: 'Managed' }).then((response) => response);

    let managed;
    let demoted;
    if (engine === 'sqlite') {
      // One connection, one writer: the demotion is queued (straight in SQL) the moment the
      // manager's session and rights have been read, so it commits before the manager writes.
      const database = testStatements(t.app.get(DatabaseService));
      let armed = true;
      let demotion: Promise<unknown> = Promise.resolve();
      const trigger = (message: unknown) => {
        if (!armed || !(message as SqlStatementMessage).sql.startsWith('SELECT s.`id`')) return;
        armed = false;
        demotion = database.transaction((executor) =>
          executor.execute(
            "UPDATE `memberships` SET `manageGroupIds` = '[]', `version` = `version` + 1 " +
              'WHERE `organizationId` = ? AND `userId` = ?',
            [team.organizationId, team.manager.userId],
          ),
        );
      };
      diagnosticsChannel.subscribe(SQL_STATEMENT_CHANNEL.name, trigger);
      try {
        managed = await managerPatch();
        await demotion;
      } finally {
        diagnosticsChannel.unsubscribe(SQL_STATEMENT_CHANNEL.name, trigger);
      }
      expect({ status: managed.status, code: managed.body.code }).toEqual({
        status: 403,
        code: 'PROFILE_CHANGE_FORBIDDEN',
      });
    } else {
      // The target's row is held by the test, so the manager's write waits; meanwhile the
      // administrator's demotion runs. Whatever commits, it must be in a valid order.
      const { database } = t.config as { database: { url: string } };
      const connect = () =>
        createConnection({ ...MYSQL_SERVER, database: new URL(database.url).pathname.slice(1) });
      const holder = await connect();
      const watcher = await connect();
      try {
        await holder.query('START TRANSACTION');
        await holder.query(
          'SELECT `id` FROM `memberships` WHERE `organizationId` = ? AND `userId` = ? FOR UPDATE',
          [team.organizationId, team.plain.userId],
        );
        let managerDone = false;
        const pending = managerPatch().finally(() => {
          managerDone = true;
        });
        await waitForBlockedStatements(watcher, 1, () => managerDone);
        let demotionDone = false;
        const demotion = demote().finally(() => {
          demotionDone = true;
        });
        await waitForBlockedStatements(watcher, 2, () => demotionDone || managerDone);
        await holder.query('COMMIT');
        [managed, demoted] = await Promise.all([pending, demotion]);
      } finally {
        await holder.end();
        await watcher.end();
      }
      expect(demoted.status).toBe(200);
      if (managed.status === 200) {
        // Committed with its rights still valid: before the demotion, never after it.
        const updates = await t.dataSource.getRepository(AuditEventEntity).find({
          where: { organizationId: team.organizationId, action: 'membership.updated' },
          order: { id: 'ASC' },
        });
        expect(updates.map((event) => event.targetUserId)).toEqual([
          team.plain.userId,
          team.manager.userId,
        ]);
      } else {
        expect({ status: managed.status, code: managed.body.code }).toEqual({
          status: 403,
          code: 'PROFILE_CHANGE_FORBIDDEN',
        });
      }
    }
    const plain = await membershipRow(t.dataSource, team.plain.userId, team.organizationId);
    expect(plain.lastName).toBe(managed.status === 200 ? 'Managed' : 'Plain');
  });

  if (engine === 'mariadb') {
    it("finding 9b: a member sending scope never waits on the administrators' row locks", async () => {
      const { database } = t.config as { database: { url: string } };
      const holder = await createConnection({
        ...MYSQL_SERVER,
        database: new URL(database.url).pathname.slice(1),
      });
      try {
        await holder.query('START TRANSACTION');
        await holder.query(
          'SELECT `id` FROM `memberships` WHERE `organizationId` = ? AND `userId` = ? FOR UPDATE',
          [team.organizationId, team.admin.userId],
        );
        // Answered while the administrator's row is still locked: refused before any lock,
        // not after a lock wait (503 past the statement deadline).
        const response = await patch('me', asPlain, { scope: 1 });
        expect({ status: response.status, code: response.body.code }).toEqual({
          status: 403,
          code: 'SCOPE_CHANGE_FORBIDDEN',
        });
      } finally {
        await holder.query('ROLLBACK');
        await holder.end();
      }
    });
  }

  it('finding 4: bursts of bogus kids cost at most one JWKS fetch per interval; a rotation gets through', async () => {
    const INTERVAL_SECONDS = 2;
    const idp = rsaKeyPair();
    const keys = await startKeyServer([jwkOf(idp.publicKey, 'idp-1', 'RS256')]);
    const jwks = await startTestApp(engine, {
      env: {
        ...NO_RATE_LIMITS,
        AUTH_JWT_SECRET: undefined,
        AUTH_JWKS_URI: keys.url,
        AUTH_JWKS_REFETCH_INTERVAL_SECONDS: String(INTERVAL_SECONDS),
      },
    });
    try {
      const sign = (key: typeof idp, kid: string) =>
        bearerToken('alice', { secret: key.privateKey, algorithm: 'RS256', keyid: kid });
      const mine = (token: string) =>
        jwks.http().get(MY_ORGANIZATIONS).set('Authorization', `Bearer ${token}`);
      await mine(sign(idp, 'idp-1')).expect(200);
      expect(keys.requests).toHaveLength(1);

      // Three bursts of fifty random kids, concurrent and back to back, over about 3 s.
      const started = Date.now();
      let bogus = 0;
      for (let burst = 0; burst < 3; burst++) {
        const answers = await Promise.all(
          Array.from({ length: 50 }, () =>
            mine(sign(idp, `bogus-${(bogus += 1)}-${Math.random()}`)),
          ),
        );
        expect(new Set(answers.map((answer) => answer.status))).toEqual(new Set([401]));
        await sleep(1000);
      }
      const elapsedSeconds = (Date.now() - started) / 1000;
      const fetches = keys.requests.length - 1;
      expect(fetches).toBeLessThanOrEqual(Math.ceil(elapsedSeconds / INTERVAL_SECONDS) + 1);

      // A kid found missing by a fetch is remembered: asking again costs no fetch.
      await sleep(INTERVAL_SECONDS * 1000 + 100);
      await mine(sign(idp, 'remembered-miss')).expect(401);
      const afterMiss = keys.requests.length;
      await sleep(INTERVAL_SECONDS * 1000 + 100);
      await mine(sign(idp, 'remembered-miss')).expect(401);
      expect(keys.requests.length).toBe(afterMiss);

      // The provider rotates its key while bogus kids keep coming: the new key is accepted
      // within one interval.
      const rotated = rsaKeyPair();
      keys.keys.push(jwkOf(rotated.publicKey, 'idp-2', 'RS256'));
      await Promise.all(Array.from({ length: 20 }, (_, i) => mine(sign(idp, `late-bogus-${i}`))));
      await sleep(INTERVAL_SECONDS * 1000 + 100);
      await mine(sign(rotated, 'idp-2')).expect(200);
      // And the old key still works from the cached set.
      await mine(sign(idp, 'idp-1')).expect(200);
    } finally {
      await jwks.close();
      await keys.close();
    }
  }, 60_000);
});

/**
 * Waits until `count` statements of the app have been running in the test database for a
 * while (blocked: on a row lock, or on a row the optimizer reads with a lock before InnoDB lists
 * any wait), or until `stop` says the awaited request finished.
 */
async function waitForBlockedStatements(
  watcher: Connection,
  count: number,
  stop: () => boolean = () => false,
): Promise<void> {
  const STEADY_POLLS = 15;
  let steady = 0;
  for (let attempt = 0; attempt < 1000; attempt++) {
    if (stop()) return;
    const [rows] = await watcher.query(
      'SELECT COUNT(*) AS `running` FROM information_schema.PROCESSLIST ' +
        "WHERE `DB` = ? AND `COMMAND` IN ('Query', 'Execute') AND `ID` <> CONNECTION_ID()",
      [watcher.config.database as string],
    );
    steady = Number((rows as { running: number | string }[])[0].running) >= count ? steady + 1 : 0;
    if (steady >= STEADY_POLLS) return;
    await sleep(20);
  }
  throw new Error(`never saw ${count} statements blocked`);
}

describe('security, identity findings in the process', () => {
  const MAIN = join('dist', 'main.js');

  it('finding 5: production never demos: no DATABASE_URL is a start error, a named one gets no demo data and no token', async () => {
    const cwd = scratchCheckout();
    const secrets = {
      NODE_ENV: 'production',
      ...PRODUCTION_IDENTITY,
      AUTH_JWT_SECRET: 'production-bearer-secret-0123456789abcdef-xyz',
      SESSION_TOKEN_SECRET: 'production-session-secret-0123456789abcdef-xyz',
    };
    const refused = await runNode([MAIN], {
      cwd,
      env: cleanEnv({ ...secrets, PORT: String(await freePort()) }),
      timeoutMs: 20_000,
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('DATABASE_URL');
    expect(refused.stdout + refused.stderr).not.toMatch(/Bearer|eyJ/);

    const path = join(cwd, 'production.sqlite');
    const port = await freePort();
    const app = new NodeProcess([MAIN], {
      cwd,
      env: cleanEnv({ ...secrets, PORT: String(port), DATABASE_URL: `sqlite:${path}` }),
    });
    try {
      await app.waitForStdout(/Serving on/, START_TIMEOUT_MS);
      expect((await fetch(`http://127.0.0.1:${port}/health/ready`)).status).toBe(200);
    } finally {
      await app.stop();
    }
    expect(app.stdout + app.stderr).not.toMatch(/curl|Bearer|eyJ|npm run token/);
    const dataSource = new DataSource({ type: 'better-sqlite3', database: path });
    await dataSource.initialize();
    try {
      expect(await dataSource.query('SELECT COUNT(*) AS n FROM `organizations`')).toEqual([
        { n: 0 },
      ]);
    } finally {
      await dataSource.destroy();
    }

    for (const script of [['dist/cli/token.js', '--subject', 'alice'], ['dist/cli/seed-demo.js']]) {
      const result = await runNode(script, {
        cwd,
        env: cleanEnv({ ...secrets, DATABASE_URL: `sqlite:${path}` }),
        timeoutMs: 30_000,
      });
      expect(result.code).not.toBe(0);
      expect(result.stdout + result.stderr).toMatch(/production/);
      expect(result.stdout).not.toMatch(/eyJ/);
    }
  }, 120_000);

  it('finding 6: the development banner never crashes the app when alice is gone', async () => {
    const cwd = scratchCheckout();
    const start = async () => {
      const port = await freePort();
      const app = new NodeProcess([MAIN], { cwd, env: cleanEnv({ PORT: String(port) }) });
      await app.waitForStdout(/Serving on/, START_TIMEOUT_MS);
      return { app, port };
    };
    const first = await start();
    await first.app.waitForStdout(/Try the PATCH as alice/, START_TIMEOUT_MS);
    await first.app.stop();

    const path = join(cwd, 'var', 'users-organizations.sqlite');
    const edit = async (sql: string) => {
      const dataSource = new DataSource({ type: 'better-sqlite3', database: path });
      await dataSource.initialize();
      await dataSource.query(sql);
      await dataSource.destroy();
    };
    // Alice leaves organization 1: the next start names another administrator (dave, in 2).
    await edit(
      "UPDATE `memberships` SET `deletedAt` = '2026-01-01 00:00:00.000' WHERE `userId` = 1",
    );
    const second = await start();
    try {
      await second.app.waitForStdout(
        /opens authorized as dave,\nadministrator of organization 2 [\s\S]*Try the PATCH as dave/,
        START_TIMEOUT_MS,
      );
      expect((await fetch(`http://127.0.0.1:${second.port}/health/ready`)).status).toBe(200);
    } finally {
      await second.app.stop();
    }
    // No administrator left at all: the app serves and says how to get tokens.
    await edit(
      "UPDATE `memberships` SET `deletedAt` = '2026-01-01 00:00:00.000' WHERE `scope` = 1",
    );
    const third = await start();
    try {
      await third.app.waitForStdout(/npm run token/, START_TIMEOUT_MS);
      expect((await fetch(`http://127.0.0.1:${third.port}/health/live`)).status).toBe(200);
      expect(third.app.stdout).not.toMatch(/curl -i/);
    } finally {
      await third.app.stop();
    }
  }, 180_000);
});
