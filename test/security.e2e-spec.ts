import { createHmac, KeyObject, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import {
  createServer,
  IncomingHttpHeaders,
  IncomingMessage,
  request as httpRequest,
  Server,
  ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Response } from 'supertest';
import { SessionEntity } from '../src/auth/entities/session.entity';
import { MembershipEntity } from '../src/users-organizations/entities/membership.entity';
import { UserEntity } from '../src/users/entities/user.entity';
import { MEMBERSHIP_VIEW_FIELDS } from './support/contract';
import { createTestDatabase, TestDatabase } from './support/databases';
import { addMembership, createMember, membershipRow } from './support/factories';
import { createTeam, Team } from './support/organization';
import { HttpAnswer, leaksIn, problemViolations } from './support/problem';
import { NO_RATE_LIMITS, startTestApp, TestApp } from './support/test-app';
import { bearerToken, rsaKeyPair, TEST_BEARER_SECRET } from './support/tokens';
import { DENIALS, LOG_GUARD } from './support/log-guard';

// This file's requests are refused on purpose: the denials' log lines are expected.
LOG_GUARD.allowInFile(DENIALS);

/**
 * The security suite, organised by the OWASP API Security Top 10 (2023). Every test name starts
 * with the item it covers, and the suite prints the coverage per item when it ends. It runs
 * against MariaDB: the engine the deployments use. The authentication and PATCH suites hold
 * the exhaustive per-case tables; this suite probes each item as an attacker would.
 */

const BASE = '/users-organizations/v1/rs';
const USERS = `${BASE}/users`;
const ME = `${USERS}/me`;
const SESSIONS = `${BASE}/sessions`;
const DOCS_JSON = '/users-organizations/docs-json';

const OWASP = {
  API1: 'API1:2023 Broken Object Level Authorization',
  API2: 'API2:2023 Broken Authentication',
  API3: 'API3:2023 Broken Object Property Level Authorization',
  API4: 'API4:2023 Unrestricted Resource Consumption',
  API5: 'API5:2023 Broken Function Level Authorization',
  API7: 'API7:2023 Server Side Request Forgery',
  API8: 'API8:2023 Security Misconfiguration',
  API9: 'API9:2023 Improper Inventory Management',
  API10: 'API10:2023 Unsafe Consumption of APIs',
} as const;
type Item = keyof typeof OWASP;

const coverage = new Map<Item, string[]>();

/**
 * Rate limits off (0 = no limit): this suite sends hundreds of refused requests from one address
 * on purpose, and the limiter has a suite of its own. What is probed here must be refused for
 * what it is, not because the address was throttled.
 */
/** A test that names its OWASP item, and is counted in the coverage printed at the end. */
function covers(item: Item, name: string, fn: () => Promise<void>, timeout?: number): void {
  const tag = OWASP[item].split(' ')[0];
  coverage.set(item, [...(coverage.get(item) ?? []), name]);
  it(`[${tag}] ${name}`, fn, timeout);
}

type Headers = Record<string, string>;

const nowSeconds = () => Math.floor(Date.now() / 1000);
const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A JWT with full control of the header, HMAC-signed with any key (even an empty one). */
function hmacToken(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  key: string | Buffer,
) {
  const unsigned = `${base64url(header)}.${base64url(payload)}`;
  return `${unsigned}.${createHmac('sha256', key).update(unsigned).digest('base64url')}`;
}

const claimsOf = (sub: string) => ({ sub, iat: nowSeconds(), exp: nowSeconds() + 600 });

function expectProblem(response: HttpAnswer, status: number, code?: string) {
  const body = (response.body ?? {}) as { code?: string };
  expect({ status: response.status, ...(code === undefined ? {} : { code: body.code }) }).toEqual({
    status,
    ...(code === undefined ? {} : { code }),
  });
  expect(problemViolations(response)).toEqual([]);
}

/** An HTTP request over a plain socket: any method, any header, a body in chunks. */
interface RawAnswer extends HttpAnswer {
  text: string;
  body: unknown;
}

function rawRequest(
  port: number,
  options: { method: string; path: string; headers?: Headers; chunks?: Buffer[] },
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const outgoing = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: options.method,
        path: options.path,
        headers: options.headers,
      },
      (incoming: IncomingMessage) => {
        answered = true;
        const parts: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => parts.push(chunk));
        incoming.on('error', reject);
        incoming.on('end', () => {
          const text = Buffer.concat(parts).toString('utf8');
          let body: unknown;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {
            body = undefined;
          }
          resolve({
            status: incoming.statusCode ?? 0,
            headers: flatHeaders(incoming.headers),
            text,
            body,
          });
        });
      },
    );
    // The server may answer (413) and close while the body is still being written.
    outgoing.on('error', (error) => {
      if (!answered) reject(error);
    });
    void (async () => {
      for (const chunk of options.chunks ?? []) {
        if (outgoing.destroyed) break;
        outgoing.write(chunk);
        await new Promise((next) => setImmediate(next));
      }
      outgoing.end();
    })();
  });
}

function flatHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [
      name,
      Array.isArray(value) ? value.join(', ') : String(value),
    ]),
  );
}

/** A server the test controls that records every request: a JWKS endpoint or an attacker. */
interface RecordingServer {
  url: string;
  port: number;
  requests: string[];
  /** What GET /jwks.json answers; change it to misbehave. */
  respond: (response: ServerResponse) => void;
  close(): Promise<void>;
}

async function startRecordingServer(jwks: object[] = []): Promise<RecordingServer> {
  const state: RecordingServer = {
    url: '',
    port: 0,
    requests: [],
    respond: (response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ keys: jwks }));
    },
    close: () => Promise.resolve(),
  };
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    state.requests.push(request.url ?? '');
    if (request.url === '/jwks.json') return state.respond(response);
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ keys: jwks }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.port = (server.address() as AddressInfo).port;
  state.url = `http://127.0.0.1:${state.port}/jwks.json`;
  state.close = () => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return state;
}

function jwkOf(publicKey: KeyObject, kid: string) {
  return { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

describe('security (OWASP API Security Top 10, 2023) on mariadb', () => {
  let database: TestDatabase;
  let t: TestApp;
  /** The same app behind a socket of its own, for raw requests (chunked bodies, any method). */
  let raw: Server;
  let port: number;
  let a: Team;
  let b: Team;
  let asAdminA: Headers;
  let asPlainA: Headers;
  let asManagerA: Headers;
  let asAdminB: Headers;
  let asPlainB: Headers;
  /** Administrator of B, plain member of A. */
  let dual: { userId: number; subject: string };

  /**
   * For the describe block it is called in: an app of its own that verifies bearers against a
   * JWKS server publishing `publicKey` as `idp-key-1`; both are closed after the block.
   */
  function withJwksApp(publicKey: KeyObject): { keys: RecordingServer; app: TestApp } {
    const started = {} as { keys: RecordingServer; app: TestApp };
    beforeAll(async () => {
      started.keys = await startRecordingServer([jwkOf(publicKey, 'idp-key-1')]);
      started.app = await startTestApp('mariadb', {
        databaseUrl: database.url,
        demo: false,
        env: { ...NO_RATE_LIMITS, AUTH_JWT_SECRET: undefined, AUTH_JWKS_URI: started.keys.url },
      });
    });
    afterAll(async () => {
      await started.app?.close();
      await started.keys?.close();
    });
    return started;
  }

  beforeAll(async () => {
    database = await createTestDatabase('mariadb');
    t = await startTestApp('mariadb', { databaseUrl: database.url, env: NO_RATE_LIMITS });
    raw = createServer(t.app.getHttpAdapter().getInstance());
    port = await listen(raw);
    a = await createTeam(t);
    b = await createTeam(t);
    asAdminA = await t.login(a.admin.subject, a.organizationId);
    asPlainA = await t.login(a.plain.subject, a.organizationId);
    asManagerA = await t.login(a.manager.subject, a.organizationId);
    asAdminB = await t.login(b.admin.subject, b.organizationId);
    asPlainB = await t.login(b.plain.subject, b.organizationId);
    dual = await createMember(t.dataSource, {
      organizationId: b.organizationId,
      scope: 1,
      firstName: 'Dual',
      lastName: 'AdminOfB',
      group: b.groups.day,
      read: [b.groups.day],
      manage: [b.groups.day],
    });
    await addMembership(t.dataSource, dual.userId, {
      organizationId: a.organizationId,
      firstName: 'Dual',
      lastName: 'MemberOfA',
      group: a.groups.day,
    });
  });

  afterAll(async () => {
    if (raw) await new Promise<void>((resolve) => raw.close(() => resolve()));
    await t?.close();
    await database?.drop();
    const lines = (Object.keys(OWASP) as Item[]).map(
      (item) => `  ${OWASP[item]}: ${(coverage.get(item) ?? []).length} tests`,
    );
    console.log(`OWASP API Security Top 10 (2023) coverage:\n${lines.join('\n')}`);
  });

  const organizationRows = (organizationId: number) =>
    t.dataSource
      .getRepository(MembershipEntity)
      .find({ where: { organizationId }, order: { id: 'ASC' } });
  const sessionCount = () => t.dataSource.getRepository(SessionEntity).count();
  const patch = (path: string, headers: Headers, body: unknown) =>
    t
      .http()
      .patch(path)
      .set(headers)
      .send(body as object);
  const rawJson = (path: string, headers: Headers, text: string) =>
    t.http().patch(path).set(headers).set('content-type', 'application/json').send(text);

  describe(OWASP.API1, () => {
    const targetsOf = (team: Team) => [team.admin, team.manager, team.reader, team.plain];

    covers(
      'API1',
      'an organization-A session cannot read or change any member of B by id (404, nothing written)',
      async () => {
        const before = await organizationRows(b.organizationId);
        for (const headers of [asAdminA, asPlainA]) {
          for (const member of targetsOf(b)) {
            const read = await t.http().get(`${USERS}/${member.userId}`).set(headers);
            expectProblem(read, 404, 'MEMBERSHIP_NOT_FOUND');
            for (const body of [
              { firstName: 'Intruder' },
              { scope: 2 },
              { permissions: { group: null, read: [], manage: [] } },
            ]) {
              expectProblem(
                await patch(`${USERS}/${member.userId}`, headers, body),
                404,
                'MEMBERSHIP_NOT_FOUND',
              );
            }
          }
        }
        expect(await organizationRows(b.organizationId)).toEqual(before);
      },
    );

    covers(
      'API1',
      'an organization-B session cannot read or change any member of A by id (404, nothing written)',
      async () => {
        const before = await organizationRows(a.organizationId);
        for (const headers of [asAdminB, asPlainB]) {
          for (const member of targetsOf(a)) {
            expectProblem(
              await t.http().get(`${USERS}/${member.userId}`).set(headers),
              404,
              'MEMBERSHIP_NOT_FOUND',
            );
            expectProblem(
              await patch(`${USERS}/${member.userId}`, headers, { lastName: 'Intruder', scope: 1 }),
              404,
              'MEMBERSHIP_NOT_FOUND',
            );
          }
        }
        expect(await organizationRows(a.organizationId)).toEqual(before);
      },
    );

    covers(
      'API1',
      "another organization's member is indistinguishable from an id that does not exist",
      async () => {
        const shape = (response: Response) => {
          const { type, title, status, detail, code } = response.body as Record<string, unknown>;
          return { type, title, status, detail, code };
        };
        const elsewhere = await t.http().get(`${USERS}/${b.plain.userId}`).set(asAdminA);
        const nowhere = await t.http().get(`${USERS}/987654321`).set(asAdminA);
        expect(shape(elsewhere)).toEqual(shape(nowhere));
        const patchElsewhere = await patch(`${USERS}/${b.admin.userId}`, asPlainA, { scope: 1 });
        const patchNowhere = await patch(`${USERS}/987654321`, asPlainA, { scope: 1 });
        expect(shape(patchElsewhere)).toEqual(shape(patchNowhere));
      },
    );

    covers(
      'API1',
      'a user in two organizations acts only in the organization of its session',
      async () => {
        const asDualInB = await t.login(dual.subject, b.organizationId);
        const inA = await membershipRow(t.dataSource, dual.userId, a.organizationId);
        // An administrator of B reaches nobody of A, not even through its own user id.
        expectProblem(
          await patch(`${USERS}/${a.plain.userId}`, asDualInB, { firstName: 'X' }),
          404,
          'MEMBERSHIP_NOT_FOUND',
        );
        const own = await patch(ME, asDualInB, { firstName: 'OnlyInB' });
        expect(own.status).toBe(200);
        expect(own.body.data).toMatchObject({
          userId: dual.userId,
          organizationId: b.organizationId,
          firstName: 'OnlyInB',
        });
        await patch(`${USERS}/${dual.userId}`, asDualInB, { lastName: 'StillOnlyB' }).expect(200);
        expect(await membershipRow(t.dataSource, dual.userId, a.organizationId)).toEqual(inA);
        const read = await t.http().get(ME).set(asDualInB).expect(200);
        expect(read.body.data.organizationId).toBe(b.organizationId);
      },
    );
  });

  describe(OWASP.API2, () => {
    const post = (authorization: string | undefined) => {
      const request = t.http().post(SESSIONS);
      if (authorization !== undefined) request.set('Authorization', authorization);
      return request.send({ organizationId: a.organizationId });
    };
    /** The bearer is refused on the bearer-only route and on a session route with a good session. */
    async function expectRefusedBearer(authorization: string, codes: string[] = ['TOKEN_INVALID']) {
      const sessionsBefore = await sessionCount();
      for (const response of [
        await post(authorization),
        await t
          .http()
          .get(ME)
          .set({ ...asPlainA, Authorization: authorization }),
        await patch(ME, { ...asPlainA, Authorization: authorization }, { firstName: 'Intruder' }),
      ]) {
        expect({ status: response.status, problem: problemViolations(response) }).toEqual({
          status: 401,
          problem: [],
        });
        expect(codes).toContain(response.body.code);
        expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
      }
      expect(await sessionCount()).toBe(sessionsBefore);
      expect(
        (await membershipRow(t.dataSource, a.plain.userId, a.organizationId)).firstName,
      ).not.toBe('Intruder');
    }

    covers('API2', 'malformed bearer tokens are 401, never 5xx', async () => {
      const cases = [
        'Bearer',
        'Bearer ',
        'Bearer a',
        'Bearer a.b',
        'Bearer a.b.c',
        'Bearer ...',
        'Bearer e30.e30.',
        'Bearer e30.e30.e30',
        `Bearer ${base64url('{"alg":"HS256"')}.${base64url(claimsOf(a.plain.subject))}.sig`,
        `Bearer ${base64url({ alg: ['HS256'], typ: 'JWT' })}.${base64url(claimsOf(a.plain.subject))}.sig`,
        `Bearer ${base64url({ alg: null })}.${base64url(claimsOf(a.plain.subject))}.sig`,
        `Bearer ${base64url({ alg: 'HS256' })}.${Buffer.from('not json').toString('base64url')}.sig`,
        `Bearer ${bearerToken(a.plain.subject)}.extra`,
        `Bearer ${bearerToken(a.plain.subject).slice(0, -4)}`,
        `Bearer Bearer ${bearerToken(a.plain.subject)}`,
        `Bearer ${bearerToken(a.plain.subject).replace('.', '..')}`,
        `Bearer ${'\u00e9\u00e8'.repeat(10)}`,
      ];
      for (const authorization of cases) {
        await expectRefusedBearer(authorization, ['TOKEN_INVALID', 'TOKEN_MISSING']);
      }
    });

    covers(
      'API2',
      'alg none in any letter case is refused, with or without a signature',
      async () => {
        for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
          const unsigned = `${base64url({ alg, typ: 'JWT' })}.${base64url(claimsOf(a.plain.subject))}`;
          await expectRefusedBearer(`Bearer ${unsigned}.`);
          await expectRefusedBearer(
            `Bearer ${unsigned}.${createHmac('sha256', TEST_BEARER_SECRET).update(unsigned).digest('base64url')}`,
          );
        }
      },
    );

    covers(
      'API2',
      'HS256 signed with a garbage, empty or guessed key is refused (HS/RS confusion: see the auth suite)',
      async () => {
        for (const key of ['garbage', '', 'secret', 'changeme', TEST_BEARER_SECRET.slice(0, -1)]) {
          await expectRefusedBearer(
            `Bearer ${hmacToken({ alg: 'HS256', typ: 'JWT' }, claimsOf(a.plain.subject), key)}`,
          );
        }
      },
    );

    covers('API2', 'expired, not-yet-valid and ill-typed time claims are refused', async () => {
      const now = nowSeconds();
      for (const claims of [
        { sub: a.plain.subject, iat: now - 900, exp: now - 300 },
        { sub: a.plain.subject, iat: now, exp: now + 600, nbf: now + 300 },
        { sub: a.plain.subject, iat: now, exp: String(now + 600) },
        { sub: a.plain.subject, iat: now, exp: null },
        { sub: a.plain.subject, iat: now, exp: [now + 600] },
        { sub: a.plain.subject, iat: now },
      ]) {
        await expectRefusedBearer(
          `Bearer ${hmacToken({ alg: 'HS256', typ: 'JWT' }, claims, TEST_BEARER_SECRET)}`,
        );
      }
    });

    covers(
      'API2',
      'very long tokens: a 100 KB Authorization header is 431 (or 400/401), never 5xx',
      async () => {
        const huge = await t
          .http()
          .get(ME)
          .set({ ...asPlainA, Authorization: `Bearer ${'a'.repeat(100_000)}` });
        expect([400, 401, 431]).toContain(huge.status);
        if (huge.status !== 431) expect(problemViolations(huge)).toEqual([]);
        // Long, but within the header limit: an ordinary 401.
        const junk = randomBytes(4_500).toString('base64url');
        await expectRefusedBearer(`Bearer eyJ${junk}.${junk}.${junk.slice(0, 40)}`);
        const session = await t
          .http()
          .get(ME)
          .set({ ...asPlainA, 'x-session-token': `eyJ${junk}.${junk}` });
        expectProblem(session, 401, 'SESSION_TOKEN_INVALID');
      },
    );

    covers(
      'API2',
      'a kid with path traversal or injection does not choose the key (empty key, /dev/null, /etc/passwd)',
      async () => {
        const keys: (string | Buffer)[] = ['', '\n', 'null', 'key'];
        if (existsSync('/etc/passwd')) keys.push(readFileSync('/etc/passwd'));
        const kids = [
          '../../../../../../../dev/null',
          '/dev/null',
          '../../../../../../etc/passwd',
          "x' UNION SELECT 'key' -- ",
          '|| cat /etc/passwd',
          'http://127.0.0.1:1/key',
        ];
        for (const kid of kids) {
          for (const key of keys) {
            await expectRefusedBearer(
              `Bearer ${hmacToken({ alg: 'HS256', typ: 'JWT', kid }, claimsOf(a.plain.subject), key)}`,
            );
          }
        }
      },
    );

    covers(
      'API2',
      'jku, x5u, x5c and jwk headers are ignored: never fetched, never trusted',
      async () => {
        const attacker = await startRecordingServer();
        const attackerKey = rsaKeyPair();
        attacker.respond = (response) => {
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ keys: [jwkOf(attackerKey.publicKey, 'attacker')] }));
        };
        try {
          const embedded = {
            jku: attacker.url,
            x5u: `http://127.0.0.1:${attacker.port}/cert.pem`,
            jwk: jwkOf(attackerKey.publicKey, 'attacker'),
          };
          // Signed by the attacker's key, which the headers point at: refused.
          const forged = bearerToken(a.plain.subject, {
            secret: attackerKey.privateKey,
            algorithm: 'RS256',
            header: { alg: 'RS256', kid: 'attacker', ...embedded },
          });
          await expectRefusedBearer(`Bearer ${forged}`);
          // A genuine token carrying the same headers is judged as if they were absent.
          const genuine = bearerToken(a.plain.subject, {
            header: { alg: 'HS256', typ: 'JWT', ...embedded },
          });
          const response = await post(`Bearer ${genuine}`);
          expect(response.status).toBe(201);
          expect(attacker.requests).toEqual([]);
        } finally {
          await attacker.close();
        }
      },
    );
  });

  describe(OWASP.API3, () => {
    const NON_WRITABLE: [string, unknown][] = [
      ['userId', 4],
      ['organizationId', 2],
      ['id', 1],
      ['version', 999],
      ['createdAt', '2000-01-01T00:00:00.000Z'],
      ['updatedAt', '2000-01-01T00:00:00.000Z'],
      ['deletedAt', '2000-01-01T00:00:00.000Z'],
      ['subject', 'alice'],
      ['email', 'attacker@example.com'],
    ];

    async function expectMassAssignmentRefused(
      path: string,
      headers: Headers,
      body: Record<string, unknown>,
      fields: string[],
    ) {
      const membershipsBefore = await organizationRows(a.organizationId);
      const usersBefore = await t.dataSource
        .getRepository(UserEntity)
        .find({ order: { id: 'ASC' } });
      const response = await patch(path, headers, body);
      expectProblem(response, 400, 'VALIDATION_FAILED');
      const named = (response.body.errors as { field: string }[]).map((error) => error.field);
      expect(named).toEqual(expect.arrayContaining(fields));
      expect(await organizationRows(a.organizationId)).toEqual(membershipsBefore);
      expect(await t.dataSource.getRepository(UserEntity).find({ order: { id: 'ASC' } })).toEqual(
        usersBefore,
      );
    }

    for (const [field, value] of NON_WRITABLE) {
      covers(
        'API3',
        `mass assignment of ${field} is 400 and changes nothing (administrator and member itself)`,
        async () => {
          await expectMassAssignmentRefused(
            `${USERS}/${a.plain.userId}`,
            asAdminA,
            { firstName: 'Mass', [field]: value },
            [field],
          );
          await expectMassAssignmentRefused(ME, asPlainA, { firstName: 'Mass', [field]: value }, [
            field,
          ]);
          await expectMassAssignmentRefused(ME, asPlainA, { [field]: value }, [field]);
        },
      );
    }

    covers(
      'API3',
      'every non-writable field at once is 400 naming each, and changes nothing',
      async () => {
        const body = Object.fromEntries<unknown>([['firstName', 'Mass'], ...NON_WRITABLE]);
        await expectMassAssignmentRefused(
          `${USERS}/${a.plain.userId}`,
          asAdminA,
          body,
          NON_WRITABLE.map(([field]) => field),
        );
      },
    );

    covers(
      'API3',
      'extra properties inside permissions are 400 (no scope or organization smuggled in)',
      async () => {
        for (const extra of [
          { scope: 1 },
          { organizationId: b.organizationId },
          { admin: true },
          { userId: a.admin.userId },
        ]) {
          const key = Object.keys(extra)[0];
          await expectMassAssignmentRefused(
            `${USERS}/${a.plain.userId}`,
            asAdminA,
            { permissions: { group: null, read: [], manage: [], ...extra } },
            [`permissions.${key}`],
          );
        }
      },
    );

    covers('API3', 'constructor/prototype keys are refused and pollute nothing', async () => {
      for (const text of [
        '{"firstName":"X","constructor":{"prototype":{"scope":1}}}',
        '{"firstName":"X","__proto__":{"scope":1,"isAdmin":true}}',
        '{"permissions":{"group":null,"read":[],"manage":[],"__proto__":{"scope":1}}}',
      ]) {
        const before = await membershipRow(t.dataSource, a.plain.userId, a.organizationId);
        const response = await rawJson(ME, asPlainA, text);
        expectProblem(response, 400, 'VALIDATION_FAILED');
        expect(await membershipRow(t.dataSource, a.plain.userId, a.organizationId)).toEqual(before);
      }
      expect(({} as Record<string, unknown>).scope).toBeUndefined();
      expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    });

    covers(
      'API3',
      'responses expose exactly the documented properties: no subject, email, version or row id',
      async () => {
        const read = await t.http().get(`${USERS}/${a.plain.userId}`).set(asAdminA).expect(200);
        expect(Object.keys(read.body)).toEqual(['data']);
        expect(Object.keys(read.body.data).sort()).toEqual([...MEMBERSHIP_VIEW_FIELDS].sort());
        expect(Object.keys(read.body.data.permissions).sort()).toEqual(['group', 'manage', 'read']);
        const user = await t.dataSource
          .getRepository(UserEntity)
          .findOneByOrFail({ id: a.plain.userId });
        expect(read.text).not.toContain(user.subject);
        expect(read.text).not.toContain(String(user.email));
      },
    );
  });

  describe(OWASP.API4, () => {
    const unchanged = async (send: () => Promise<HttpAnswer>, statuses: number[]) => {
      const before = await membershipRow(t.dataSource, a.plain.userId, a.organizationId);
      const response = await send();
      expect(statuses).toContain(response.status);
      if (response.status !== 431) expect(problemViolations(response)).toEqual([]);
      expect(await membershipRow(t.dataSource, a.plain.userId, a.organizationId)).toEqual(before);
      return response;
    };

    covers(
      'API4',
      'a body over 16 KiB is 413, with or without Content-Length, and changes nothing',
      async () => {
        const big = JSON.stringify({ firstName: 'Big', lastName: 'x'.repeat(17 * 1024) });
        const sized = await unchanged(() => rawJson(ME, asPlainA, big), [413]);
        expect((sized.body as { code: string }).code).toBe('PAYLOAD_TOO_LARGE');
        // Chunked, so no Content-Length announces the size: 1 MiB in 16 KiB chunks.
        const chunk = Buffer.alloc(16 * 1024, 'x');
        const chunked = await unchanged(
          () =>
            rawRequest(port, {
              method: 'PATCH',
              path: ME,
              headers: {
                ...asPlainA,
                'content-type': 'application/json',
                'transfer-encoding': 'chunked',
              },
              chunks: [
                Buffer.from('{"firstName":"'),
                ...Array.from({ length: 64 }, () => chunk),
                Buffer.from('"}'),
              ],
            }),
          [413],
        );
        expect((chunked.body as { code: string }).code).toBe('PAYLOAD_TOO_LARGE');
      },
    );

    covers(
      'API4',
      'id arrays of 101 items are 400; 100 items are bounded work (no 5xx)',
      async () => {
        const ids = (count: number) =>
          Array.from({ length: count }, (_, index) => 1_000_000 + index);
        for (const permissions of [
          { group: null, read: ids(101), manage: [] },
          { group: null, read: [], manage: ids(101) },
          { group: null, read: ids(5_000), manage: ids(101) },
        ]) {
          const response = await unchanged(
            () => patch(`${USERS}/${a.plain.userId}`, asAdminA, { permissions }),
            [400, 413],
          );
          if (response.status === 400)
            expect((response.body as { code: string }).code).toBe('VALIDATION_FAILED');
        }
        const hundred = await unchanged(
          () =>
            patch(`${USERS}/${a.plain.userId}`, asAdminA, {
              permissions: { group: null, read: ids(100), manage: ids(100) },
            }),
          [422],
        );
        expect((hundred.body as { code: string }).code).toBe('GROUP_NOT_FOUND');
      },
    );

    covers(
      'API4',
      'deeply nested JSON is 400 or 413, never 5xx (10,000 levels; 2,000 to 8,000 levels within the size limit)',
      async () => {
        const arrays = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
        const objects = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
        const outcomes: { label: string; status: number }[] = [];
        for (const [label, text] of [
          ['10,000 levels of arrays as the body', arrays(10_000)],
          ['10,000 levels under firstName', `{"firstName":${arrays(10_000)}}`],
          ['64 levels under firstName', `{"firstName":${arrays(64)}}`],
          ['2,000 levels under firstName', `{"firstName":${arrays(2_000)}}`],
          ['8,000 levels under firstName', `{"firstName":${arrays(8_000)}}`],
          [
            '8,000 levels under permissions.read',
            `{"permissions":{"group":null,"manage":[],"read":${arrays(8_000)}}}`,
          ],
          ['8,000 levels under an unknown key', `{"firstName":"X","nested":${arrays(8_000)}}`],
          ['2,500 levels of objects under permissions', `{"permissions":${objects(2_500)}}`],
        ] as const) {
          const before = await membershipRow(t.dataSource, a.plain.userId, a.organizationId);
          const response = await rawJson(ME, asPlainA, text);
          outcomes.push({ label, status: response.status });
          if (response.status < 500) expect(problemViolations(response)).toEqual([]);
          expect(await membershipRow(t.dataSource, a.plain.userId, a.organizationId)).toEqual(
            before,
          );
        }
        // Reported all at once: which depths fail is the finding.
        expect(outcomes.filter((outcome) => ![400, 413].includes(outcome.status))).toEqual([]);
      },
    );

    covers(
      'API4',
      'a huge header, many headers or a huge URL are refused by the server (431/414), never 5xx',
      async () => {
        const huge = await t
          .http()
          .get(ME)
          .set({ ...asPlainA, 'x-padding': 'p'.repeat(100_000) });
        expect(huge.status).toBe(431);
        const many: Headers = { ...asPlainA };
        for (let index = 0; index < 1_500; index++) many[`x-h${index}`] = 'v'.repeat(10);
        const manyResponse = await t.http().get(ME).set(many);
        expect([400, 431]).toContain(manyResponse.status);
        const url = await t
          .http()
          .get(`${USERS}/${'9'.repeat(20_000)}`)
          .set(asPlainA);
        expect([400, 414, 431]).toContain(url.status);
      },
    );

    covers('API4', 'a very long path id is 400 INVALID_USER_ID without a lookup', async () => {
      for (const id of [
        '1'.repeat(5_000),
        'a'.repeat(5_000),
        `${'0'.repeat(4_000)}1`,
        '-'.repeat(3_000),
        '%41'.repeat(1_000),
      ]) {
        expectProblem(await t.http().get(`${USERS}/${id}`).set(asPlainA), 400, 'INVALID_USER_ID');
        await unchanged(() => patch(`${USERS}/${id}`, asPlainA, { firstName: 'Long' }), [400]);
      }
    });

    covers('API4', 'a body of thousands of unknown keys is a bounded 400', async () => {
      const body: Record<string, number> = {};
      for (let index = 0; index < 1_200; index++) body[`k${index}`] = index;
      expect(JSON.stringify(body).length).toBeLessThan(16 * 1024);
      const response = await unchanged(() => rawJson(ME, asPlainA, JSON.stringify(body)), [400]);
      expect((response.body as { code: string }).code).toBe('VALIDATION_FAILED');
    });
  });

  describe(OWASP.API5, () => {
    async function expectForbidden(path: string, headers: Headers, body: unknown, code: string) {
      const before = await organizationRows(a.organizationId);
      expectProblem(await patch(path, headers, body), 403, code);
      expect(await organizationRows(a.organizationId)).toEqual(before);
    }

    covers(
      'API5',
      'members cannot raise their own scope (403 SCOPE_CHANGE_FORBIDDEN), even with a profile change',
      async () => {
        await expectForbidden(ME, asPlainA, { scope: 1 }, 'SCOPE_CHANGE_FORBIDDEN');
        await expectForbidden(
          `${USERS}/${a.plain.userId}`,
          asPlainA,
          { firstName: 'Boss', scope: 1 },
          'SCOPE_CHANGE_FORBIDDEN',
        );
        await expectForbidden(ME, asManagerA, { scope: 1 }, 'SCOPE_CHANGE_FORBIDDEN');
      },
    );

    covers(
      'API5',
      'members cannot grant themselves permissions (403 PERMISSIONS_CHANGE_FORBIDDEN)',
      async () => {
        const all = [a.groups.day, a.groups.night];
        await expectForbidden(
          ME,
          asPlainA,
          { permissions: { group: a.groups.day, read: all, manage: all } },
          'PERMISSIONS_CHANGE_FORBIDDEN',
        );
        await expectForbidden(
          ME,
          asManagerA,
          { permissions: { group: a.groups.night, read: all, manage: all } },
          'PERMISSIONS_CHANGE_FORBIDDEN',
        );
      },
    );

    covers('API5', 'a manager cannot promote or re-permission a member it manages', async () => {
      await expectForbidden(
        `${USERS}/${a.plain.userId}`,
        asManagerA,
        { scope: 1 },
        'SCOPE_CHANGE_FORBIDDEN',
      );
      await expectForbidden(
        `${USERS}/${a.plain.userId}`,
        asManagerA,
        { permissions: { group: a.groups.day, read: [a.groups.day], manage: [a.groups.day] } },
        'PERMISSIONS_CHANGE_FORBIDDEN',
      );
    });

    covers(
      'API5',
      'an administrator of B is a plain member in A: no administrator function there',
      async () => {
        const asDualInA = await t.login(dual.subject, a.organizationId);
        await expectForbidden(ME, asDualInA, { scope: 1 }, 'SCOPE_CHANGE_FORBIDDEN');
        await expectForbidden(
          `${USERS}/${a.plain.userId}`,
          asDualInA,
          { scope: 1 },
          'SCOPE_CHANGE_FORBIDDEN',
        );
        await expectForbidden(
          `${USERS}/${a.admin.userId}`,
          asDualInA,
          { scope: 2 },
          'SCOPE_CHANGE_FORBIDDEN',
        );
      },
    );

    covers(
      'API5',
      'opening a session in an organization where the caller is not a member is 403 and opens nothing',
      async () => {
        const before = await sessionCount();
        for (const [subject, organizationId] of [
          [a.plain.subject, b.organizationId],
          [a.admin.subject, b.organizationId],
          [b.admin.subject, a.organizationId],
          [a.plain.subject, 987654321],
          [a.plain.subject, -1],
          [a.plain.subject, 0],
        ] as const) {
          const response = await t
            .http()
            .post(SESSIONS)
            .set('Authorization', `Bearer ${bearerToken(subject)}`)
            .send({ organizationId });
          expectProblem(response, 403, 'NOT_A_MEMBER');
        }
        expect(await sessionCount()).toBe(before);
      },
    );
  });

  describe(OWASP.API7, () => {
    covers(
      'API7',
      'URL-shaped values are stored as text, never fetched by the server',
      async () => {
        const listener = await startRecordingServer();
        try {
          const team = await createTeam(t);
          const headers = await t.login(team.plain.subject, team.organizationId);
          const body = {
            firstName: `${listener.url}?ssrf=1`,
            lastName: `http://127.0.0.1:${listener.port}/x`,
          };
          const response = await patch(ME, headers, body);
          expect(response.status).toBe(200);
          expect(response.body.data).toMatchObject(body);
          expect(listener.requests).toEqual([]);
        } finally {
          await listener.close();
        }
      },
    );
  });

  describe(OWASP.API8, () => {
    covers(
      'API8',
      'no error body carries a stack trace, SQL, driver error, internal name or secret',
      async () => {
        const team = await createTeam(t);
        const admin = await t.login(team.admin.subject, team.organizationId);
        const plain = await t.login(team.plain.subject, team.organizationId);
        const sends: [string, () => Promise<HttpAnswer>][] = [
          ['malformed JSON', () => rawJson(ME, plain, '{"firstName": ')],
          ['wrong types', () => patch(ME, plain, { firstName: 1, scope: '1', professionId: 'x' })],
          ['unknown route', () => t.http().get(`${BASE}/nope`)],
          ['415', () => t.http().patch(ME).set(plain).set('content-type', 'text/xml').send('<x/>')],
          ['413', () => rawJson(ME, plain, JSON.stringify({ firstName: 'y'.repeat(20_000) }))],
          ['401 garbage', () => t.http().get(ME).set('Authorization', 'Bearer x.y.z')],
          [
            '401 session',
            () =>
              t
                .http()
                .get(ME)
                .set({ ...plain, 'x-session-token': 'garbage' }),
          ],
          ['403', () => patch(ME, plain, { scope: 1 })],
          ['404', () => patch(`${USERS}/987654321`, admin, { firstName: 'X' })],
          ['409', () => patch(ME, admin, { scope: 2 })],
          ['412', () => patch(ME, plain, { firstName: 'X' }).set('If-Match', '"m0.v0"')],
          ['422 profession', () => patch(ME, plain, { professionId: 999_999 })],
          [
            '422 groups',
            () =>
              patch(`${USERS}/${team.plain.userId}`, admin, {
                permissions: { group: 999_999, read: [], manage: [] },
              }),
          ],
          ['bad percent-encoding', () => t.http().get(`${USERS}/%E0%A4%A`).set(plain)],
          ['SQL in the id', () => t.http().get(`${USERS}/1%20OR%201=1`).set(plain)],
          [
            'SQL in a name',
            () => patch(ME, plain, { firstName: "x'); DROP TABLE memberships; --".repeat(10) }),
          ],
          [
            'bad charset',
            () =>
              t
                .http()
                .patch(ME)
                .set(plain)
                .set('content-type', 'application/json; charset=latin9')
                .send('{}'),
          ],
          [
            'gzip body',
            () =>
              t
                .http()
                .patch(ME)
                .set(plain)
                .set('content-type', 'application/json')
                .set('content-encoding', 'gzip')
                .send('{}'),
          ],
        ];
        const findings: { label: string; status: number; violations: string[] }[] = [];
        for (const [label, send] of sends) {
          const response = await send();
          const violations =
            response.status >= 400 ? problemViolations(response) : leaksIn(response.text);
          if (violations.length > 0) findings.push({ label, status: response.status, violations });
        }
        expect(findings).toEqual([]);
      },
    );

    covers(
      'API8',
      'Cache-Control: no-store on every authenticated response, success or error',
      async () => {
        const team = await createTeam(t);
        const bearer = `Bearer ${bearerToken(team.plain.subject)}`;
        const opened = await t
          .http()
          .post(SESSIONS)
          .set('Authorization', bearer)
          .send({ organizationId: team.organizationId });
        const headers = {
          Authorization: bearer,
          'x-session-token': opened.body.data.sessionToken as string,
        };
        const admin = await t.login(team.admin.subject, team.organizationId);
        const responses: [string, HttpAnswer][] = [
          ['201 POST /sessions', opened],
          ['200 GET', await t.http().get(ME).set(headers)],
          ['200 PATCH', await patch(ME, headers, { firstName: 'NoStore' })],
          ['400', await patch(ME, headers, { firstName: '' })],
          ['403', await patch(ME, headers, { scope: 1 })],
          ['404', await t.http().get(`${USERS}/987654321`).set(headers)],
          ['409', await patch(ME, admin, { scope: 2 })],
          ['412', await patch(ME, headers, { firstName: 'X' }).set('If-Match', '"stale"')],
          [
            '415',
            await t.http().patch(ME).set(headers).set('content-type', 'text/plain').send('x'),
          ],
          ['422', await patch(ME, headers, { professionId: 999_999 })],
          [
            '401',
            await t
              .http()
              .get(ME)
              .set({ ...headers, 'x-session-token': 'x' }),
          ],
          [
            '204 DELETE /sessions/current',
            await t.http().delete(`${SESSIONS}/current`).set(headers),
          ],
        ];
        expect(
          responses.map(([label, response]) => [
            label,
            response.status,
            response.headers['cache-control'],
          ]),
        ).toEqual(responses.map(([label]) => [label, Number(label.slice(0, 3)), 'no-store']));
      },
    );

    covers('API8', 'X-Powered-By is absent from every response', async () => {
      const responses = [
        await t.http().get(ME).set(asPlainA),
        await t.http().get(ME),
        await t.http().get('/nope'),
        await t.http().get('/health/live'),
        await t.http().get(DOCS_JSON),
        await rawJson(ME, asPlainA, '{'),
      ];
      expect(responses.map((response) => response.headers['x-powered-by'])).toEqual(
        responses.map(() => undefined),
      );
    });

    covers(
      'API8',
      'undocumented methods on /users/{id} are 404/405 problem+json, never 5xx, change nothing, echo nothing',
      async () => {
        const documented = Object.keys(
          ((await t.http().get(DOCS_JSON).expect(200)).body.paths as Record<string, object>)[
            `${USERS}/{userId}`
          ],
        ).map((method) => method.toUpperCase());
        const methods = [
          'PUT',
          'POST',
          'DELETE',
          'TRACE',
          'PROPFIND',
          'SEARCH',
          'PURGE',
          'LOCK',
          'MKCOL',
          'COPY',
          'MOVE',
        ].filter((method) => !documented.includes(method));
        expect(methods).toEqual(expect.arrayContaining(['PUT', 'TRACE']));
        const before = await organizationRows(a.organizationId);
        const answers: { method: string; status: number; violations: string[] }[] = [];
        for (const method of methods) {
          const response = await rawRequest(port, {
            method,
            path: `${USERS}/${a.plain.userId}`,
            // RFC 9110: a TRACE request carries no content.
            headers:
              method === 'TRACE' ? asPlainA : { ...asPlainA, 'content-type': 'application/json' },
            chunks: method === 'TRACE' ? [] : [Buffer.from('{"firstName":"Verb","scope":1}')],
          });
          const violations = problemViolations(response);
          if (response.text.includes(asPlainA['x-session-token']))
            violations.push('echoes the session token');
          answers.push({ method, status: response.status, violations });
        }
        expect(
          answers.filter(
            (answer) => ![404, 405].includes(answer.status) || answer.violations.length > 0,
          ),
        ).toEqual([]);
        expect(await organizationRows(a.organizationId)).toEqual(before);
      },
    );

    covers(
      'API8',
      'OPTIONS and CORS preflights from another origin open nothing and leak nothing',
      async () => {
        const preflights: Headers[] = [
          {},
          {
            Origin: 'https://evil.example',
            'Access-Control-Request-Method': 'PATCH',
            'Access-Control-Request-Headers': 'authorization,x-session-token',
          },
          { ...asPlainA, Origin: 'null' },
        ];
        for (const headers of preflights) {
          const response = await rawRequest(port, {
            method: 'OPTIONS',
            path: `${USERS}/${a.plain.userId}`,
            headers,
          });
          expect(response.status).toBeLessThan(500);
          expect([204, 404, 405]).toContain(response.status);
          expect(response.headers['access-control-allow-origin']).toBeUndefined();
          expect(response.headers['access-control-allow-credentials']).toBeUndefined();
          if (response.text) expect(problemViolations(response)).toEqual([]);
        }
      },
    );

    covers('API8', 'readiness tells nothing about the database beyond up or down', async () => {
      const ready = await t.http().get('/health/ready');
      expect(ready.status).toBe(200);
      expect(ready.text).not.toMatch(/127\.0\.0\.1|3306|root|mysql:|mariadb|uo_test_|password/i);
    });

    covers(
      'API8',
      'helmet headers: CSP, HSTS, nosniff, frame options, referrer and resource policies on API answers',
      async () => {
        const responses: [string, HttpAnswer][] = [
          ['200 GET /users/me', await t.http().get(ME).set(asPlainA)],
          ['401 GET /users/me', await t.http().get(ME)],
          ['404 unknown route', await t.http().get(`${BASE}/nope`)],
          ['400 malformed body', await rawJson(ME, asPlainA, '{')],
        ];
        const missing = responses.flatMap(([label, response]) => {
          const header = (name: string) => response.headers[name] as string | undefined;
          const problems: string[] = [];
          if (header('x-content-type-options') !== 'nosniff')
            problems.push('x-content-type-options: nosniff');
          if (!/^(DENY|SAMEORIGIN)$/i.test(header('x-frame-options') ?? ''))
            problems.push('x-frame-options');
          if (!/default-src|frame-ancestors/.test(header('content-security-policy') ?? ''))
            problems.push('content-security-policy');
          if (!/max-age=\d+/.test(header('strict-transport-security') ?? ''))
            problems.push('strict-transport-security');
          if (!header('referrer-policy')) problems.push('referrer-policy');
          if (!header('cross-origin-resource-policy'))
            problems.push('cross-origin-resource-policy');
          return problems.map((problem) => `${label}: ${problem}`);
        });
        expect(missing).toEqual([]);
      },
    );
  });

  describe(OWASP.API9, () => {
    const documentedRoutes = async () => {
      const paths = (await t.http().get(DOCS_JSON).expect(200)).body.paths as Record<
        string,
        Record<string, unknown>
      >;
      return Object.entries(paths).flatMap(([path, operations]) =>
        Object.keys(operations)
          .filter((method) =>
            ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'].includes(method),
          )
          .map((method) => `${method.toUpperCase()} ${path}`),
      );
    };

    covers(
      'API9',
      'every route the app serves is in the OpenAPI document (the docs themselves aside)',
      async () => {
        interface Layer {
          route?: { path: string | string[]; methods: Record<string, boolean> };
        }
        const express = t.app.getHttpAdapter().getInstance() as { router: { stack: Layer[] } };
        const served = express.router.stack.flatMap((layer) => {
          if (!layer.route) return [];
          const route = layer.route;
          return (
            (Array.isArray(route.path) ? route.path : [route.path])
              // The docs are the inventory itself; `/{*path}` is where Nest mounts module
              // middleware (the request logger) for every method, not an endpoint.
              .filter(
                (path) => !path.startsWith('/users-organizations/docs') && path !== '/{*path}',
              )
              .flatMap((path) =>
                Object.keys(route.methods).map(
                  (method) => `${method.toUpperCase()} ${path.replace(/:(\w+)/g, '{$1}')}`,
                ),
              )
          );
        });
        expect(served.length).toBeGreaterThan(0);
        expect([...new Set(served)].sort()).toEqual([...new Set(await documentedRoutes())].sort());
      },
    );

    covers('API9', 'every documented route is served (no stale documentation)', async () => {
      const stale: string[] = [];
      for (const route of await documentedRoutes()) {
        const [method, path] = route.split(' ');
        const response = await rawRequest(port, { method, path: path.replace(/\{\w+\}/g, '1') });
        if (
          response.status === 404 &&
          (response.body as { code?: string } | undefined)?.code === 'ROUTE_NOT_FOUND'
        ) {
          stale.push(route);
        }
      }
      expect(stale).toEqual([]);
    });

    covers('API9', 'old, future, debug and hidden paths answer 404 ROUTE_NOT_FOUND', async () => {
      const paths = [
        '/users-organizations/v0/rs/users/me',
        '/users-organizations/v2/rs/users/me',
        '/users-organizations/v1/users/me',
        '/users-organizations/v1/rs/users',
        '/users-organizations/v1/rs/users/me/tokens',
        '/users-organizations/v1/rs/sessions/all',
        '/users-organizations/v1/rs/admin',
        '/users-organizations/v1/rs/debug',
        '/users-organizations/v1/rs/internal/memberships',
        '/users/me',
        '/api/users/me',
        '/v1/users/me',
        '/.env',
        '/.git/config',
        '/graphql',
        '/actuator/env',
        '/server-status',
        '/health/db',
        '/health/details',
      ];
      const routed: { path: string; status: number; code?: string }[] = [];
      for (const path of paths) {
        const response = await t.http().get(path).set(asAdminA);
        const code = (response.body as { code?: string }).code;
        if (
          response.status !== 404 ||
          code !== 'ROUTE_NOT_FOUND' ||
          problemViolations(response).length
        ) {
          routed.push({ path, status: response.status, code });
        }
      }
      // Paths the design plans (DESIGN 8) may appear once documented; the inventory test above
      // then keeps them honest. Everything else must not answer.
      const documented = new Set((await documentedRoutes()).map((route) => route.split(' ')[1]));
      expect(routed.filter((entry) => !documented.has(entry.path))).toEqual([]);
    });
  });

  /*
   * Apps verifying with a JWKS come last: passport keeps strategies in one registry per process,
   * so starting an app with another bearer configuration re-registers the 'bearer' strategy
   * that the first app's guard then uses. Nothing after this point uses the first app.
   */
  describe(`${OWASP.API2}: keys from a JWKS (RS256)`, () => {
    const idpKey = rsaKeyPair();
    const attackerKey = rsaKeyPair();
    const jwks = withJwksApp(idpKey.publicKey);

    covers(
      'API2',
      'a kid with path traversal never reaches the JWKS URL and fetches stay bounded',
      async () => {
        const genuine = bearerToken(a.plain.subject, {
          secret: idpKey.privateKey,
          algorithm: 'RS256',
          keyid: 'idp-key-1',
        });
        const login = () =>
          jwks.app
            .http()
            .post(SESSIONS)
            .set('Authorization', `Bearer ${genuine}`)
            .send({ organizationId: a.organizationId });
        await login().expect(201);
        const kids = [
          '../../../../etc/passwd',
          '..%2F..%2Fadmin',
          '/dev/null',
          '../jwks.json',
          'idp-key-1/../../x',
          "' OR '1'='1",
          'http://127.0.0.1:1/x',
          'k'.repeat(2_000),
        ];
        for (const kid of kids) {
          for (const privateKey of [attackerKey.privateKey, idpKey.privateKey]) {
            const token = bearerToken(a.plain.subject, {
              secret: privateKey,
              algorithm: 'RS256',
              keyid: kid,
            });
            const response = await jwks.app
              .http()
              .post(SESSIONS)
              .set('Authorization', `Bearer ${token}`)
              .send({ organizationId: a.organizationId });
            expectProblem(response, 401, 'TOKEN_INVALID');
          }
        }
        expect(jwks.keys.requests.every((path) => path === '/jwks.json')).toBe(true);
        // jwks-rsa allows 10 fetches a minute: 16 unknown kids must not mean 16 fetches.
        expect(jwks.keys.requests.length).toBeLessThanOrEqual(11);
        // The genuine key still works (from the cache).
        await login().expect(201);
      },
    );
  });

  describe(OWASP.API10, () => {
    const idpKey = rsaKeyPair();
    const jwks = withJwksApp(idpKey.publicKey);

    covers(
      'API10',
      "a misbehaving identity provider's JWKS answer is 401 or 503 problem+json, never 500",
      async () => {
        const sign = (kid: string) =>
          bearerToken('alice', { secret: idpKey.privateKey, algorithm: 'RS256', keyid: kid });
        const login = await jwks.app
          .http()
          .post(SESSIONS)
          .set('Authorization', `Bearer ${sign('idp-key-1')}`)
          .send({ organizationId: 1 });
        expect(login.status).toBe(201);
        const headers = {
          Authorization: `Bearer ${sign('idp-key-1')}`,
          'x-session-token': login.body.data.sessionToken as string,
        };
        const behaviours: [string, (response: ServerResponse) => void][] = [
          [
            'not JSON',
            (response) =>
              response.writeHead(200, { 'content-type': 'application/json' }).end('{"keys": ['),
          ],
          [
            'HTML',
            (response) =>
              response.writeHead(200, { 'content-type': 'text/html' }).end('<html>login</html>'),
          ],
          [
            'keys not a list',
            (response) =>
              response.writeHead(200, { 'content-type': 'application/json' }).end('{"keys":"x"}'),
          ],
          [
            'a broken key for the kid',
            (response) =>
              response.writeHead(200, { 'content-type': 'application/json' }).end(
                JSON.stringify({
                  keys: [
                    { kty: 'RSA', kid: 'rotated', n: '@@@', e: '!!', use: 'sig', alg: 'RS256' },
                  ],
                }),
              ),
          ],
          ['a 500', (response) => response.writeHead(500).end('oops')],
          [
            'a redirect elsewhere',
            (response) => response.writeHead(302, { location: 'http://127.0.0.1:1/' }).end(),
          ],
        ];
        const outcomes: { behaviour: string; status: number; violations: string[] }[] = [];
        for (const [behaviour, respond] of behaviours) {
          jwks.keys.respond = respond;
          const response = await jwks.app
            .http()
            .post(SESSIONS)
            .set('Authorization', `Bearer ${sign('rotated')}`)
            .send({ organizationId: 1 });
          outcomes.push({
            behaviour,
            status: response.status,
            violations: problemViolations(response),
          });
          // The cached genuine key keeps working whatever the provider answers now.
          expect((await jwks.app.http().get(ME).set(headers)).status).toBe(200);
        }
        expect(
          outcomes.filter(
            (outcome) => ![401, 503].includes(outcome.status) || outcome.violations.length > 0,
          ),
        ).toEqual([]);
      },
    );
  });
});
