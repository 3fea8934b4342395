import { createHmac, generateKeyPairSync, KeyObject, randomBytes } from 'node:crypto';
import { decode, sign, SignOptions } from 'jsonwebtoken';
import type { Response } from 'supertest';
import { SessionEntity } from '../src/auth/entities/session.entity';
import { MembershipEntity } from '../src/users-organizations/entities/membership.entity';
import { OrganizationEntity } from '../src/organizations/entities/organization.entity';
import { UserEntity } from '../src/users/entities/user.entity';
import { createTestDatabase, ENGINES, TestDatabase } from './support/databases';
import { createMember, createOrganization } from './support/factories';
import { jwkOf, KeyServer, startKeyServer } from './support/key-server';
import { startTestApp, TestApp } from './support/test-app';
import {
  bearerToken,
  rsaKeyPair,
  sessionToken,
  TEST_BEARER_SECRET,
  TEST_SESSION_SECRET,
} from './support/tokens';
import { LOG_GUARD } from './support/log-guard';

const BASE = '/users-organizations/v1/rs';
const ME = `${BASE}/users/me`;
const SESSIONS = `${BASE}/sessions`;
const CURRENT_SESSION = `${SESSIONS}/current`;
const INVALID_TOKEN_CHALLENGE = 'Bearer error="invalid_token"';
/** Demo data (DESIGN section 9). */
const ALICE_ID = 1;
const BOB_ID = 2;
const ORG_PARIS = 1;
const ORG_LYON = 2;

type Headers = Record<string, string>;
/** `invalid_token`: a token was given; `bare`: no bearer token in the Authorization header. */
type Challenge = 'invalid_token' | 'bare';

const nowSeconds = () => Math.floor(Date.now() / 1000);
const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const bearerHeader = (token: string) => `Bearer ${token}`;

/** An unsigned JWT (`alg: none`), which no verifier may accept. */
function unsignedToken(payload: Record<string, unknown>): string {
  return `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(payload)}.`;
}

/** Signs any payload with full control of the options (no default `exp`). */
function signRaw(
  payload: Record<string, unknown>,
  secret: string | KeyObject,
  options: SignOptions = {},
): string {
  return sign(payload, secret, { algorithm: 'HS256', ...options });
}

function sessionIdOf(token: string): string {
  return (decode(token) as { sessionId: string }).sessionId;
}

function expectProblem(response: Response, status: number, code: string) {
  expect({ status: response.status, code: (response.body as { code?: string }).code }).toEqual({
    status,
    code,
  });
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(response.body.status).toBe(status);
  expect(JSON.stringify(response.body)).not.toMatch(/eyJ|stack|SELECT|\bat \w/);
}

function expectUnauthorized(response: Response, code: string, challenge: Challenge) {
  expectProblem(response, 401, code);
  expect(response.headers['cache-control']).toBe('no-store');
  const header = response.headers['www-authenticate'] as string | undefined;
  if (challenge === 'invalid_token') {
    expect(header).toBe(INVALID_TOKEN_CHALLENGE);
  } else {
    expect(header).toMatch(/^Bearer(\s|$)/);
    expect(header).not.toMatch(/error=/);
  }
}

/** Opens a session with any bearer token (t.login only knows the HS256 test secret). */
async function loginWith(t: TestApp, bearer: string, organizationId: number): Promise<Headers> {
  const response = await t
    .http()
    .post(SESSIONS)
    .set('Authorization', bearerHeader(bearer))
    .send({ organizationId });
  expect(response.status).toBe(201);
  return {
    Authorization: bearerHeader(bearer),
    'x-session-token': (response.body as { data: { sessionToken: string } }).data.sessionToken,
  };
}

/** The JWKS apps' AUTH_JWKS_REFETCH_INTERVAL_SECONDS: short, so tests wait seconds, not 30. */
const REFETCH_INTERVAL_SECONDS = 1;

/** Lets the last refetch an unknown kid caused grow older than the refetch interval. */
function refetchIntervalPassed(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, REFETCH_INTERVAL_SECONDS * 1000 + 100));
}

function ecKeyPair(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' });
}

describe.each(ENGINES)('authentication on %s', (engine) => {
  let database: TestDatabase;
  let t: TestApp;
  /** Alice's long-lived session, for cases that only need some valid session token. */
  let alice: Headers;

  beforeAll(async () => {
    database = await createTestDatabase(engine);
    t = await startTestApp(engine, { databaseUrl: database.url });
    alice = await t.login('alice', ORG_PARIS);
  });
  afterAll(async () => {
    await t?.close();
    await database?.drop();
  });

  const getMe = (headers: Headers, path = ME) => t.http().get(path).set(headers);
  const patchMe = (headers: Headers, path = ME) =>
    t.http().patch(path).set(headers).send({ firstName: 'Intruder' });
  const openSession = (headers: Headers, body: unknown, path = SESSIONS) =>
    t
      .http()
      .post(path)
      .set(headers)
      .send(body as object);
  const sessionCount = () => t.dataSource.getRepository(SessionEntity).count();
  const intruderWrites = () =>
    t.dataSource.getRepository(MembershipEntity).countBy({ firstName: 'Intruder' });
  const freshMember = (organizationId = ORG_PARIS) =>
    createMember(t.dataSource, { organizationId });
  const softDeleteUser = (id: number) =>
    t.dataSource.getRepository(UserEntity).update({ id }, { deletedAt: new Date() });

  describe('POST /sessions', () => {
    it('opens a session: 201 with a working session token, its organization and expiry', async () => {
      const before = await sessionCount();
      const response = await openSession(
        { Authorization: bearerHeader(bearerToken('alice')) },
        { organizationId: ORG_PARIS },
      );
      expect(response.status).toBe(201);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.headers['cache-control']).toBe('no-store');
      const data = response.body.data as {
        sessionToken: string;
        organizationId: number;
        expiresAt: string;
      };
      expect(Object.keys(data).sort()).toEqual(['expiresAt', 'organizationId', 'sessionToken']);
      expect(data.organizationId).toBe(ORG_PARIS);
      expect(data.expiresAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(Date.parse(data.expiresAt)).toBeGreaterThan(Date.now());

      const claims = decode(data.sessionToken, { complete: true });
      expect(claims?.header.alg).toBe('HS256');
      const payload = claims?.payload as { userId: unknown; sessionId: string; exp: number };
      expect(Number(payload.userId)).toBe(ALICE_ID);
      expect(payload.exp).toBe(Math.floor(Date.parse(data.expiresAt) / 1000));
      // At least 128 random bits.
      expect(Buffer.from(payload.sessionId, 'base64url').length).toBeGreaterThanOrEqual(16);

      expect(await sessionCount()).toBe(before + 1);
      const row = await t.dataSource
        .getRepository(SessionEntity)
        .findOneByOrFail({ id: payload.sessionId });
      expect({
        userId: row.userId,
        organizationId: row.organizationId,
        revokedAt: row.revokedAt,
      }).toEqual({ userId: ALICE_ID, organizationId: ORG_PARIS, revokedAt: null });

      const me = await getMe({
        Authorization: bearerHeader(bearerToken('alice')),
        'x-session-token': data.sessionToken,
      });
      expect(me.status).toBe(200);
      expect(me.body.data).toMatchObject({ userId: ALICE_ID, organizationId: ORG_PARIS });
    });

    it('acts in the organization the session was opened in', async () => {
      const dave = await t.login('dave', ORG_LYON);
      const me = await getMe(dave).expect(200);
      expect(me.body.data).toMatchObject({ userId: 4, organizationId: ORG_LYON, scope: 1 });
    });

    it.each([
      ['an organization the caller is not in', 'alice', ORG_LYON],
      ['a soft-deleted membership (erin in org 1)', 'erin', ORG_PARIS],
      ['an organization that does not exist', 'alice', 987654321],
    ])('is 403 NOT_A_MEMBER for %s, and opens nothing', async (_label, subject, organizationId) => {
      const before = await sessionCount();
      const response = await openSession(
        { Authorization: bearerHeader(bearerToken(subject)) },
        { organizationId },
      );
      expectProblem(response, 403, 'NOT_A_MEMBER');
      expect(await sessionCount()).toBe(before);
    });

    it('is 403 ORGANIZATION_ARCHIVED for a member of an archived organization, and opens nothing', async () => {
      const organizationId = await createOrganization(t.dataSource, 'Closed');
      const member = await createMember(t.dataSource, { organizationId });
      await t.dataSource
        .getRepository(OrganizationEntity)
        .update({ id: organizationId }, { archivedAt: new Date() });
      const before = await sessionCount();
      const response = await openSession(
        { Authorization: bearerHeader(bearerToken(member.subject)) },
        { organizationId },
      );
      expectProblem(response, 403, 'ORGANIZATION_ARCHIVED');
      expect(await sessionCount()).toBe(before);
    });

    it.each([
      ['organizationId as a string', '{"organizationId":"1"}', 'organizationId'],
      ['a missing organizationId', '{}', 'organizationId'],
      ['organizationId null', '{"organizationId":null}', 'organizationId'],
      ['a fractional organizationId', '{"organizationId":1.5}', 'organizationId'],
      ['an unknown field', '{"organizationId":1,"userId":2}', 'userId'],
      ['a non-object body', '[1]', ''],
    ])('is 400 for %s', async (_label, body, field) => {
      const before = await sessionCount();
      const response = await t
        .http()
        .post(SESSIONS)
        .set('Authorization', bearerHeader(bearerToken('alice')))
        .set('Content-Type', 'application/json')
        .send(body);
      expectProblem(response, 400, 'VALIDATION_FAILED');
      const errors = response.body.errors as { field: string; message: string }[];
      expect(errors.map((error) => error.field)).toContain(field);
      expect(await sessionCount()).toBe(before);
    });

    it('accepts the Bearer scheme in any letter case', async () => {
      const response = await openSession(
        { Authorization: `bEaReR ${bearerToken('alice')}` },
        { organizationId: ORG_PARIS },
      );
      expect(response.status).toBe(201);
    });

    it('is 401 TOKEN_MISSING without a bearer token, with a bare challenge', async () => {
      const response = await openSession({}, { organizationId: ORG_PARIS });
      expectUnauthorized(response, 'TOKEN_MISSING', 'bare');
    });

    it('is 401 TOKEN_INVALID with a session token sent as the bearer', async () => {
      const before = await sessionCount();
      const response = await openSession(
        { Authorization: bearerHeader(alice['x-session-token']) },
        { organizationId: ORG_PARIS },
      );
      expectUnauthorized(response, 'TOKEN_INVALID', 'invalid_token');
      expect(await sessionCount()).toBe(before);
    });
  });

  describe('a token verified once is kept, and only that exact token', () => {
    /** The token with one character of its signature changed (not the last: padding bits). */
    const reSigned = (token: string) => {
      const at = token.lastIndexOf('.') + 5;
      return `${token.slice(0, at)}${token[at] === 'A' ? 'B' : 'A'}${token.slice(at + 1)}`;
    };

    it('refuses changed copies of tokens it accepted: a claim or the signature', async () => {
      const token = bearerToken('alice');
      const headers = { ...alice, Authorization: bearerHeader(token) };
      await getMe(headers).expect(200);
      await getMe(headers).expect(200);
      const [header, payload, signature] = token.split('.');
      const claims = decode(token) as Record<string, unknown>;
      for (const forged of [
        `${header}.${base64url({ ...claims, sub: 'bob' })}.${signature}`,
        `${header}.${payload}.${signature}x`,
        reSigned(token),
      ]) {
        expectUnauthorized(
          await getMe({ ...alice, Authorization: bearerHeader(forged) }),
          'TOKEN_INVALID',
          'invalid_token',
        );
      }
      expectUnauthorized(
        await getMe({ ...alice, 'x-session-token': reSigned(alice['x-session-token']) }),
        'SESSION_TOKEN_INVALID',
        'invalid_token',
      );
      await getMe(headers).expect(200);
    });

    it('refuses a token it accepted once the token has expired', async () => {
      const exp = nowSeconds() + 2;
      const token = signRaw({ sub: 'alice', iat: nowSeconds(), exp }, TEST_BEARER_SECRET);
      const headers = { ...alice, Authorization: bearerHeader(token) };
      await getMe(headers).expect(200);
      await getMe(headers).expect(200);
      await new Promise((resolve) => setTimeout(resolve, exp * 1000 - Date.now() + 50));
      const response = await getMe(headers);
      expectUnauthorized(response, 'TOKEN_INVALID', 'invalid_token');
      expect(response.body.detail).toMatch(/has expired/);
    });
  });

  describe('DELETE /sessions/current', () => {
    it('revokes: 204, then the very next request with that session is 401 SESSION_REVOKED', async () => {
      const headers = await t.login('bob', ORG_PARIS);
      const other = await t.login('bob', ORG_PARIS);
      await getMe(headers).expect(200);

      const revoke = await t.http().delete(CURRENT_SESSION).set(headers);
      expect(revoke.status).toBe(204);
      expect(revoke.text).toBe('');
      expect(revoke.headers['cache-control']).toBe('no-store');

      expectUnauthorized(await getMe(headers), 'SESSION_REVOKED', 'invalid_token');
      expectUnauthorized(await patchMe(headers), 'SESSION_REVOKED', 'invalid_token');
      expectUnauthorized(
        await t.http().delete(CURRENT_SESSION).set(headers),
        'SESSION_REVOKED',
        'invalid_token',
      );
      const row = await t.dataSource
        .getRepository(SessionEntity)
        .findOneByOrFail({ id: sessionIdOf(headers['x-session-token']) });
      expect(row.revokedAt).toBeInstanceOf(Date);
      // Only that session: the user's other session still works.
      await getMe(other).expect(200);
      expect(await intruderWrites()).toBe(0);
    });

    it('needs both tokens, and a refused attempt revokes nothing', async () => {
      const headers = await t.login('carol', ORG_PARIS);
      const withoutBearer = await t
        .http()
        .delete(CURRENT_SESSION)
        .set({ 'x-session-token': headers['x-session-token'] });
      const withoutSession = await t
        .http()
        .delete(CURRENT_SESSION)
        .set({ Authorization: headers.Authorization });
      await getMe(headers).expect(200);
      expectUnauthorized(withoutBearer, 'TOKEN_MISSING', 'bare');
      expectUnauthorized(withoutSession, 'SESSION_TOKEN_MISSING', 'invalid_token');
    });

    describe('with a second app instance on the same database', () => {
      let second: TestApp;
      beforeAll(async () => {
        second = await startTestApp(engine, { databaseUrl: database.url, demo: false });
      });
      afterAll(async () => {
        await second?.close();
      });

      it('a revocation on one instance takes effect on the next request on the other', async () => {
        const member = await freshMember();
        const headers = await t.login(member.subject, ORG_PARIS);
        await second.http().get(ME).set(headers).expect(200);
        await t.http().delete(CURRENT_SESSION).set(headers).expect(204);
        expectUnauthorized(
          await second.http().get(ME).set(headers),
          'SESSION_REVOKED',
          'invalid_token',
        );

        const opposite = await second.login(member.subject, ORG_PARIS);
        await t.http().get(ME).set(opposite).expect(200);
        await second.http().delete(CURRENT_SESSION).set(opposite).expect(204);
        expectUnauthorized(await getMe(opposite), 'SESSION_REVOKED', 'invalid_token');
      });
    });
  });

  /** What a bearer-level case sends; a case may bring its own session token. */
  interface Attempt {
    headers: Headers;
    query?: string;
  }
  interface BearerCase {
    name: string;
    challenge: Challenge;
    /** The code on POST /sessions (bearer only). */
    code: string;
    /** The code on session routes, when it differs. */
    sessionRouteCode?: string;
    /** POST /sessions creates the user (a first sign-in) and answers 403 NOT_A_MEMBER. */
    firstSignIn?: boolean;
    attempt: () => Promise<Attempt>;
  }

  const withBearer = (token: string): Attempt => ({
    headers: { Authorization: bearerHeader(token) },
  });

  const bearerCases: BearerCase[] = [
    {
      name: 'a missing Authorization header',
      challenge: 'bare',
      code: 'TOKEN_MISSING',
      attempt: () => Promise.resolve({ headers: {} }),
    },
    {
      name: 'Authorization: Basic',
      challenge: 'bare',
      code: 'TOKEN_MISSING',
      attempt: () =>
        Promise.resolve({
          headers: { Authorization: `Basic ${Buffer.from('alice:secret').toString('base64')}` },
        }),
    },
    {
      name: 'a valid token in the query string only',
      challenge: 'bare',
      code: 'TOKEN_MISSING',
      attempt: () =>
        Promise.resolve({
          headers: {},
          query: `?access_token=${bearerToken('alice')}&token=${bearerToken('alice')}`,
        }),
    },
    {
      name: 'a valid token in a cookie only',
      challenge: 'bare',
      code: 'TOKEN_MISSING',
      attempt: () =>
        Promise.resolve({
          headers: {
            Cookie: `access_token=${bearerToken('alice')}; jwt=${bearerToken('alice')}; Authorization=Bearer%20${bearerToken('alice')}`,
          },
        }),
    },
    {
      name: 'a malformed JWT',
      challenge: 'invalid_token',
      code: 'TOKEN_INVALID',
      attempt: () => Promise.resolve(withBearer('not.a.jwt')),
    },
    {
      name: 'a bad signature (another secret)',
      challenge: 'invalid_token',
      code: 'TOKEN_INVALID',
      attempt: () =>
        Promise.resolve(
          withBearer(bearerToken('alice', { secret: 'another-secret-0123456789abcdef01234567' })),
        ),
    },
    {
      name: 'a tampered payload (bob in alice’s signed token)',
      challenge: 'invalid_token',
      code: 'TOKEN_INVALID',
      attempt: () => {
        const [header, , signature] = bearerToken('alice').split('.');
        const payload = base64url({ sub: 'bob', iat: nowSeconds(), exp: nowSeconds() + 600 });
        return Promise.resolve(withBearer(`${header}.${payload}.${signature}`));
      },
    },
    {
      name: 'an alg none token',
      challenge: 'invalid_token',
      code: 'TOKEN_INVALID',
      attempt: () =>
        Promise.resolve(
          withBearer(unsignedToken({ sub: 'alice', iat: nowSeconds(), exp: nowSeconds() + 600 })),
        ),
    },
    {
      name: 'an HS384 token (algorithm not pinned)',
      challenge: 'invalid_token',
      code: 'TOKEN_INVALID',
      attempt: () => Promise.resolve(withBearer(bearerToken('alice', { algorithm: 'HS384' }))),
    },
    {
      name: 'an expired token',
      challenge: 'invalid_token',
      code: 'TOKEN_INVALID',
      attempt: () =>
        Promise.resolve(
          withBearer(
            signRaw(
              { sub: 'alice', iat: nowSeconds() - 900, exp: nowSeconds() - 300 },
              TEST_BEARER_SECRET,
            ),
          ),
        ),
    },
    {
      name: 'a token not yet valid (nbf in the future)',
      challenge: 'invalid_token',
      code: 'TOKEN_INVALID',
      attempt: () => Promise.resolve(withBearer(bearerToken('alice', { notBefore: 300 }))),
    },
    {
      name: 'a token without exp',
      challenge: 'invalid_token',
      code: 'TOKEN_INVALID',
      attempt: () =>
        Promise.resolve(
          withBearer(signRaw({ sub: 'alice' }, TEST_BEARER_SECRET, { noTimestamp: true })),
        ),
    },
    {
      name: 'a token without sub',
      challenge: 'invalid_token',
      code: 'TOKEN_INVALID',
      attempt: () => Promise.resolve(withBearer(bearerToken(undefined))),
    },
    {
      name: 'a token with an empty sub',
      challenge: 'invalid_token',
      code: 'TOKEN_INVALID',
      attempt: () => Promise.resolve(withBearer(bearerToken(''))),
    },
    {
      name: 'a token with a numeric sub',
      challenge: 'invalid_token',
      code: 'TOKEN_INVALID',
      attempt: () =>
        Promise.resolve(withBearer(bearerToken(undefined, { claims: { sub: ALICE_ID } }))),
    },
    {
      name: 'the bearer of an unknown subject',
      challenge: 'invalid_token',
      code: 'USER_UNKNOWN',
      // With alice's session token: the session belongs to another user.
      sessionRouteCode: 'SESSION_TOKEN_INVALID',
      // On POST /sessions a verified new subject is a first sign-in (DESIGN 5): the user is
      // created, and, a member of nothing, opens no session.
      firstSignIn: true,
      attempt: () =>
        Promise.resolve(withBearer(bearerToken(`nobody-${randomBytes(4).toString('hex')}`))),
    },
    {
      name: 'the bearer of a soft-deleted user (session opened before)',
      challenge: 'invalid_token',
      code: 'USER_UNKNOWN',
      attempt: async () => {
        const member = await freshMember();
        const headers = await t.login(member.subject, ORG_PARIS);
        await getMe(headers).expect(200);
        await softDeleteUser(member.userId);
        return { headers };
      },
    },
  ];

  describe('401 on the bearer token', () => {
    it.each(bearerCases)('POST /sessions refuses $name', async (testCase) => {
      const attempt = await testCase.attempt();
      const before = await sessionCount();
      const response = await openSession(
        attempt.headers,
        { organizationId: ORG_PARIS },
        SESSIONS + (attempt.query ?? ''),
      );
      if (testCase.firstSignIn) expectProblem(response, 403, 'NOT_A_MEMBER');
      else expectUnauthorized(response, testCase.code, testCase.challenge);
      expect(await sessionCount()).toBe(before);
    });

    it.each(bearerCases)('GET and PATCH /users/me refuse $name', async (testCase) => {
      const attempt = await testCase.attempt();
      const headers = { 'x-session-token': alice['x-session-token'], ...attempt.headers };
      const path = ME + (attempt.query ?? '');
      const code = testCase.sessionRouteCode ?? testCase.code;
      expectUnauthorized(await getMe(headers, path), code, testCase.challenge);
      expectUnauthorized(await patchMe(headers, path), code, testCase.challenge);
      expect(await intruderWrites()).toBe(0);
    });
  });

  interface SessionCase {
    name: string;
    code: string;
    /** The headers to send; the bearer is always a valid one of the returned subject. */
    attempt: () => Promise<Headers>;
  }

  const aliceBearer = () => bearerHeader(bearerToken('alice'));

  const sessionCases: SessionCase[] = [
    {
      name: 'a missing x-session-token',
      code: 'SESSION_TOKEN_MISSING',
      attempt: () => Promise.resolve({ Authorization: aliceBearer() }),
    },
    {
      name: 'an empty x-session-token',
      code: 'SESSION_TOKEN_MISSING',
      attempt: () => Promise.resolve({ Authorization: aliceBearer(), 'x-session-token': '' }),
    },
    {
      name: 'a malformed session token',
      code: 'SESSION_TOKEN_INVALID',
      attempt: () =>
        Promise.resolve({ Authorization: aliceBearer(), 'x-session-token': 'garbage' }),
    },
    {
      name: 'a session token signed with the bearer secret',
      code: 'SESSION_TOKEN_INVALID',
      attempt: () =>
        Promise.resolve({
          Authorization: aliceBearer(),
          'x-session-token': sessionToken(
            { userId: ALICE_ID, sessionId: sessionIdOf(alice['x-session-token']) },
            { secret: TEST_BEARER_SECRET },
          ),
        }),
    },
    {
      name: 'the bearer token sent as x-session-token',
      code: 'SESSION_TOKEN_INVALID',
      attempt: () => {
        const token = bearerToken('alice');
        return Promise.resolve({ Authorization: bearerHeader(token), 'x-session-token': token });
      },
    },
    {
      name: 'an alg none session token',
      code: 'SESSION_TOKEN_INVALID',
      attempt: () =>
        Promise.resolve({
          Authorization: aliceBearer(),
          'x-session-token': unsignedToken({
            userId: ALICE_ID,
            sessionId: sessionIdOf(alice['x-session-token']),
            iat: nowSeconds(),
            exp: nowSeconds() + 600,
          }),
        }),
    },
    {
      name: 'an expired session token (live row)',
      code: 'SESSION_TOKEN_INVALID',
      attempt: () =>
        Promise.resolve({
          Authorization: aliceBearer(),
          'x-session-token': signRaw(
            {
              userId: ALICE_ID,
              sessionId: sessionIdOf(alice['x-session-token']),
              iat: nowSeconds() - 900,
              exp: nowSeconds() - 300,
            },
            TEST_SESSION_SECRET,
          ),
        }),
    },
    {
      name: 'a session token without exp',
      code: 'SESSION_TOKEN_INVALID',
      attempt: () =>
        Promise.resolve({
          Authorization: aliceBearer(),
          'x-session-token': signRaw(
            { userId: ALICE_ID, sessionId: sessionIdOf(alice['x-session-token']), iat: 1 },
            TEST_SESSION_SECRET,
          ),
        }),
    },
    {
      name: 'a non-numeric userId',
      code: 'SESSION_TOKEN_INVALID',
      attempt: () =>
        Promise.resolve({
          Authorization: aliceBearer(),
          'x-session-token': sessionToken({
            userId: 'alice',
            sessionId: sessionIdOf(alice['x-session-token']),
          }),
        }),
    },
    {
      name: "a forged session token naming another user (bob's bearer, alice's session)",
      code: 'SESSION_TOKEN_INVALID',
      attempt: () =>
        Promise.resolve({
          Authorization: bearerHeader(bearerToken('bob')),
          'x-session-token': sessionToken({
            userId: BOB_ID,
            sessionId: sessionIdOf(alice['x-session-token']),
          }),
        }),
    },
    {
      name: "a forged session token naming another user (alice's bearer and session)",
      code: 'SESSION_TOKEN_INVALID',
      attempt: () =>
        Promise.resolve({
          Authorization: aliceBearer(),
          'x-session-token': sessionToken({
            userId: BOB_ID,
            sessionId: sessionIdOf(alice['x-session-token']),
          }),
        }),
    },
    {
      name: 'a session id that does not exist',
      code: 'SESSION_NOT_FOUND',
      attempt: () =>
        Promise.resolve({
          Authorization: aliceBearer(),
          'x-session-token': sessionToken({
            userId: ALICE_ID,
            sessionId: randomBytes(32).toString('base64url'),
          }),
        }),
    },
    {
      name: 'an expired session row',
      code: 'SESSION_EXPIRED',
      attempt: async () => {
        const headers = await t.login('carol', ORG_PARIS);
        await getMe(headers).expect(200);
        await t.dataSource
          .getRepository(SessionEntity)
          .update(
            { id: sessionIdOf(headers['x-session-token']) },
            { expiresAt: new Date(Date.now() - 2 * 86400_000) },
          );
        return headers;
      },
    },
    {
      name: "bob's session token with alice's bearer",
      code: 'SESSION_TOKEN_INVALID',
      attempt: async () => {
        const bob = await t.login('bob', ORG_PARIS);
        return { Authorization: aliceBearer(), 'x-session-token': bob['x-session-token'] };
      },
    },
    {
      name: 'a membership soft-deleted after the session was opened',
      code: 'MEMBERSHIP_INACTIVE',
      attempt: async () => {
        const member = await freshMember();
        const headers = await t.login(member.subject, ORG_PARIS);
        await getMe(headers).expect(200);
        await t.dataSource
          .getRepository(MembershipEntity)
          .update({ userId: member.userId, organizationId: ORG_PARIS }, { deletedAt: new Date() });
        return headers;
      },
    },
    {
      name: 'an organization soft-deleted after the session was opened',
      code: 'MEMBERSHIP_INACTIVE',
      attempt: async () => {
        const organizationId = await createOrganization(t.dataSource, 'Soon closed');
        const member = await createMember(t.dataSource, { organizationId });
        const headers = await t.login(member.subject, organizationId);
        await getMe(headers).expect(200);
        await t.dataSource
          .getRepository(OrganizationEntity)
          .update({ id: organizationId }, { archivedAt: new Date() });
        return headers;
      },
    },
  ];

  describe('401 on the session token (valid bearer)', () => {
    it.each(sessionCases)('GET and PATCH /users/me refuse $name', async (testCase) => {
      const headers = await testCase.attempt();
      expectUnauthorized(await getMe(headers), testCase.code, 'invalid_token');
      expectUnauthorized(await patchMe(headers), testCase.code, 'invalid_token');
      expect(await intruderWrites()).toBe(0);
    });

    it('accepts userId as a numeric string in the session token', async () => {
      const token = sessionToken({
        userId: String(ALICE_ID),
        sessionId: sessionIdOf(alice['x-session-token']),
      });
      const response = await getMe({ Authorization: aliceBearer(), 'x-session-token': token });
      expect(response.status).toBe(200);
      expect(response.body.data).toMatchObject({ userId: ALICE_ID, organizationId: ORG_PARIS });
    });
  });

  describe('token swap (DESIGN 5: neither token stands in for the other)', () => {
    it('refuses the two tokens sent in each other’s header', async () => {
      const headers = await t.login('carol', ORG_PARIS);
      const swapped = {
        Authorization: bearerHeader(headers['x-session-token']),
        'x-session-token': headers.Authorization.slice('Bearer '.length),
      };
      expectUnauthorized(await getMe(swapped), 'TOKEN_INVALID', 'invalid_token');
      expectUnauthorized(await patchMe(swapped), 'TOKEN_INVALID', 'invalid_token');
      // The same tokens in their own headers do work.
      await getMe(headers).expect(200);
    });

    it('refuses a session token as the bearer, even re-signed with the bearer secret (no sub)', async () => {
      const claims = decode(alice['x-session-token']) as Record<string, unknown>;
      const resigned = signRaw(claims, TEST_BEARER_SECRET);
      for (const token of [alice['x-session-token'], resigned]) {
        expectUnauthorized(
          await openSession({ Authorization: bearerHeader(token) }, { organizationId: ORG_PARIS }),
          'TOKEN_INVALID',
          'invalid_token',
        );
        expectUnauthorized(
          await getMe({ Authorization: bearerHeader(token), 'x-session-token': token }),
          'TOKEN_INVALID',
          'invalid_token',
        );
      }
    });

    it('refuses a bearer token as the session token, even re-signed with the session secret', async () => {
      const bearer = bearerToken('alice');
      const resigned = signRaw(decode(bearer) as Record<string, unknown>, TEST_SESSION_SECRET);
      for (const token of [bearer, resigned]) {
        const headers = { Authorization: bearerHeader(bearer), 'x-session-token': token };
        expectUnauthorized(await getMe(headers), 'SESSION_TOKEN_INVALID', 'invalid_token');
        expectUnauthorized(await patchMe(headers), 'SESSION_TOKEN_INVALID', 'invalid_token');
      }
      expect(await intruderWrites()).toBe(0);
    });
  });

  describe('Cache-Control', () => {
    it('is no-store on authenticated answers, successful or not', async () => {
      const member = await freshMember();
      const created = await openSession(
        { Authorization: bearerHeader(bearerToken(member.subject)) },
        { organizationId: ORG_PARIS },
      );
      expect(created.status).toBe(201);
      expect(created.headers['cache-control']).toBe('no-store');
      const headers = {
        Authorization: bearerHeader(bearerToken(member.subject)),
        'x-session-token': (created.body.data as { sessionToken: string }).sessionToken,
      };

      const read = await getMe(headers);
      expect(read.status).toBe(200);
      expect(read.headers['cache-control']).toBe('no-store');

      const patched = await t.http().patch(ME).set(headers).send({ firstName: 'Cached' });
      expect(patched.status).toBe(200);
      expect(patched.body.data.firstName).toBe('Cached');
      expect(patched.headers['cache-control']).toBe('no-store');

      const refused = await getMe({ 'x-session-token': headers['x-session-token'] });
      expectUnauthorized(refused, 'TOKEN_MISSING', 'bare');
      const forbidden = await openSession(
        { Authorization: headers.Authorization },
        { organizationId: ORG_LYON },
      );
      expectProblem(forbidden, 403, 'NOT_A_MEMBER');
      expect(forbidden.headers['cache-control']).toBe('no-store');
    });
  });

  describe('issuer and audience', () => {
    const ISSUER = 'https://idp.test';
    const AUDIENCE = 'users-organizations';
    let checked: TestApp;
    beforeAll(async () => {
      checked = await startTestApp(engine, {
        env: { AUTH_JWT_ISSUER: ISSUER, AUTH_JWT_AUDIENCE: AUDIENCE },
      });
    });
    afterAll(async () => {
      await checked?.close();
    });

    it('accepts a token with both, end to end', async () => {
      const headers = await loginWith(
        checked,
        bearerToken('alice', { issuer: ISSUER, audience: AUDIENCE }),
        ORG_PARIS,
      );
      const me = await checked.http().get(ME).set(headers);
      expect(me.status).toBe(200);
      expect(me.body.data.userId).toBe(ALICE_ID);
    });

    it('accepts an audience list that holds this API', async () => {
      await loginWith(
        checked,
        bearerToken('alice', { issuer: ISSUER, audience: ['other-api', AUDIENCE] }),
        ORG_PARIS,
      );
    });

    it.each<[string, SignOptions]>([
      ['a wrong issuer', { issuer: 'https://evil.test', audience: AUDIENCE }],
      ['a missing issuer', { audience: AUDIENCE }],
      ['a wrong audience', { issuer: ISSUER, audience: 'another-api' }],
      ['a missing audience', { issuer: ISSUER }],
      ['neither', {}],
    ])('refuses %s with 401 TOKEN_INVALID', async (_label, options) => {
      const token = bearerToken('alice', options);
      expectUnauthorized(
        await checked
          .http()
          .post(SESSIONS)
          .set('Authorization', bearerHeader(token))
          .send({ organizationId: ORG_PARIS }),
        'TOKEN_INVALID',
        'invalid_token',
      );
      // Also with a valid session: the bearer is checked on every request.
      const session = await loginWith(
        checked,
        bearerToken('alice', { issuer: ISSUER, audience: AUDIENCE }),
        ORG_PARIS,
      );
      expectUnauthorized(
        await checked
          .http()
          .get(ME)
          .set({ ...session, Authorization: bearerHeader(token) }),
        'TOKEN_INVALID',
        'invalid_token',
      );
    });
  });

  describe('RS256/ES256 keys from a JWKS', () => {
    const RSA_KID = 'rsa-key-1';
    const EC_KID = 'ec-key-1';
    const rsa = rsaKeyPair();
    const ec = ecKeyPair();
    let keys: KeyServer;
    let jwksApp: TestApp;

    const rs256 = (subject: string, kid: string, options: SignOptions = {}) =>
      bearerToken(subject, { secret: rsa.privateKey, algorithm: 'RS256', keyid: kid, ...options });

    beforeAll(async () => {
      keys = await startKeyServer([
        jwkOf(rsa.publicKey, RSA_KID, 'RS256'),
        jwkOf(ec.publicKey, EC_KID, 'ES256'),
      ]);
      jwksApp = await startTestApp(engine, {
        env: {
          AUTH_JWT_SECRET: undefined,
          AUTH_JWKS_URI: keys.url,
          AUTH_JWKS_REFETCH_INTERVAL_SECONDS: String(REFETCH_INTERVAL_SECONDS),
        },
      });
    });
    afterAll(async () => {
      await jwksApp?.close();
      await keys?.close();
    });

    const post = (token: string) =>
      jwksApp
        .http()
        .post(SESSIONS)
        .set('Authorization', bearerHeader(token))
        .send({ organizationId: ORG_PARIS });

    it('accepts a valid RS256 token with its kid, end to end', async () => {
      const headers = await loginWith(jwksApp, rs256('alice', RSA_KID), ORG_PARIS);
      const me = await jwksApp.http().get(ME).set(headers);
      expect(me.status).toBe(200);
      expect(me.body.data.userId).toBe(ALICE_ID);
      expect(keys.requests.length).toBeGreaterThanOrEqual(1);
    });

    it('accepts a valid ES256 token with its kid, end to end', async () => {
      const token = bearerToken('alice', {
        secret: ec.privateKey,
        algorithm: 'ES256',
        keyid: EC_KID,
      });
      const headers = await loginWith(jwksApp, token, ORG_PARIS);
      await jwksApp.http().get(ME).set(headers).expect(200);
    });

    it('refuses an HS256 token signed with the public key as HMAC secret (HS/RS confusion)', async () => {
      const publicPem = rsa.publicKey.export({ format: 'pem', type: 'spki' }).toString();
      const now = nowSeconds();
      for (const pem of [publicPem, publicPem.trim()]) {
        const unsigned = `${base64url({ alg: 'HS256', typ: 'JWT', kid: RSA_KID })}.${base64url({
          sub: 'alice',
          iat: now,
          exp: now + 600,
        })}`;
        const signature = createHmac('sha256', pem).update(unsigned).digest('base64url');
        expectUnauthorized(
          await post(`${unsigned}.${signature}`),
          'TOKEN_INVALID',
          'invalid_token',
        );
      }
      // Nor may an HS256 token signed with the old shared secret get through.
      expectUnauthorized(await post(bearerToken('alice')), 'TOKEN_INVALID', 'invalid_token');
    });

    it('refuses an RS256 token with the known kid but signed by another key', async () => {
      const other = rsaKeyPair();
      const token = bearerToken('alice', {
        secret: other.privateKey,
        algorithm: 'RS256',
        keyid: RSA_KID,
      });
      expectUnauthorized(await post(token), 'TOKEN_INVALID', 'invalid_token');
    });

    it('never follows a jku or x5u header to another server', async () => {
      const attackerKey = rsaKeyPair();
      const attacker = await startKeyServer([jwkOf(attackerKey.publicKey, 'attacker', 'RS256')]);
      try {
        for (const kid of ['attacker', RSA_KID]) {
          const token = bearerToken('alice', {
            secret: attackerKey.privateKey,
            algorithm: 'RS256',
            header: { alg: 'RS256', kid, jku: attacker.url, x5u: attacker.url },
          });
          expectUnauthorized(await post(token), 'TOKEN_INVALID', 'invalid_token');
        }
        expect(attacker.requests).toEqual([]);
      } finally {
        await attacker.close();
      }
    });

    it('refuses a token whose alg does not fit the key its kid names, and alg none', async () => {
      const rsaAsEc = bearerToken('alice', {
        secret: rsa.privateKey,
        algorithm: 'RS256',
        keyid: EC_KID,
      });
      const ecAsRsa = bearerToken('alice', {
        secret: ec.privateKey,
        algorithm: 'ES256',
        keyid: RSA_KID,
      });
      const none = `${base64url({ alg: 'none', typ: 'JWT', kid: RSA_KID })}.${base64url({
        sub: 'alice',
        iat: nowSeconds(),
        exp: nowSeconds() + 600,
      })}.`;
      for (const token of [rsaAsEc, ecAsRsa, none]) {
        expectUnauthorized(await post(token), 'TOKEN_INVALID', 'invalid_token');
      }
    });

    /** A new RS256 key published in the JWKS, and alice's token signed with it. */
    const publishKey = (kid: string) => {
      const pair = rsaKeyPair();
      const jwk = jwkOf(pair.publicKey, kid, 'RS256');
      keys.keys.push(jwk);
      return {
        jwk,
        token: bearerToken('alice', { secret: pair.privateKey, algorithm: 'RS256', keyid: kid }),
      };
    };

    it('picks up a key added to the JWKS after start (rotation)', async () => {
      await refetchIntervalPassed();
      const { token } = publishKey('rsa-key-2');
      const before = keys.requests.length;
      const headers = await loginWith(jwksApp, token, ORG_PARIS);
      await jwksApp.http().get(ME).set(headers).expect(200);
      expect(keys.requests.length).toBe(before + 1);
    });

    it('refuses a token it accepted once its key is gone from the JWKS', async () => {
      const { jwk: retiredKey, token } = publishKey('rsa-key-retired');
      await refetchIntervalPassed();
      const headers = await loginWith(jwksApp, token, ORG_PARIS);
      await jwksApp.http().get(ME).set(headers).expect(200);
      await jwksApp.http().get(ME).set(headers).expect(200);

      keys.keys.splice(keys.keys.indexOf(retiredKey), 1);
      await refetchIntervalPassed();
      // A kid the app does not know makes it fetch the set again, which no longer has the key.
      const before = keys.requests.length;
      expectUnauthorized(
        await post(rs256('alice', 'kid-after-retirement')),
        'TOKEN_INVALID',
        'invalid_token',
      );
      expect(keys.requests.length).toBe(before + 1);
      expectUnauthorized(
        await jwksApp.http().get(ME).set(headers),
        'TOKEN_INVALID',
        'invalid_token',
      );
    });

    it('refuses unknown kids with 401 and fetches the JWKS a bounded number of times', async () => {
      await refetchIntervalPassed();
      const before = keys.requests.length;
      for (let index = 0; index < 30; index++) {
        const kid = index % 2 === 0 ? 'unknown-kid' : `unknown-kid-${index}`;
        expectUnauthorized(await post(rs256('alice', kid)), 'TOKEN_INVALID', 'invalid_token');
      }
      const fetches = keys.requests.length - before;
      // A new kid may mean a key rotation: worth a refetch, but never one per request.
      expect(fetches).toBeGreaterThanOrEqual(1);
      expect(fetches).toBeLessThanOrEqual(11);
      expect(keys.requests.every((path) => path === '/jwks.json')).toBe(true);
      // The known key still works (from the cache).
      await loginWith(jwksApp, rs256('alice', RSA_KID), ORG_PARIS);
    });
  });

  describe('JWKS endpoint unreachable', () => {
    const KID = 'rsa-outage-1';
    const rsa = rsaKeyPair();
    let keys: KeyServer;
    let jwksApp: TestApp;

    beforeAll(async () => {
      keys = await startKeyServer([jwkOf(rsa.publicKey, KID, 'RS256')]);
      jwksApp = await startTestApp(engine, {
        env: {
          AUTH_JWT_SECRET: undefined,
          AUTH_JWKS_URI: keys.url,
          AUTH_JWKS_REFETCH_INTERVAL_SECONDS: String(REFETCH_INTERVAL_SECONDS),
        },
      });
    });
    afterAll(async () => {
      await jwksApp?.close();
      await keys?.close();
    });

    it('answers 503 with Retry-After for a never-seen kid, while a cached kid still works', async () => {
      const sign256 = (kid: string) =>
        bearerToken('alice', { secret: rsa.privateKey, algorithm: 'RS256', keyid: kid });
      const headers = await loginWith(jwksApp, sign256(KID), ORG_PARIS);
      await jwksApp.http().get(ME).set(headers).expect(200);

      LOG_GUARD.expect(/request failed/); // every 503 is logged at error
      await keys.close();
      // A kid unknown within the refetch interval of a good fetch is refused without asking.
      await refetchIntervalPassed();

      for (const send of [
        () =>
          jwksApp
            .http()
            .post(SESSIONS)
            .set('Authorization', bearerHeader(sign256('never-seen-kid')))
            .send({ organizationId: ORG_PARIS }),
        () =>
          jwksApp
            .http()
            .get(ME)
            .set({ ...headers, Authorization: bearerHeader(sign256('never-seen-kid-2')) }),
      ]) {
        const response = await send();
        expectProblem(response, 503, 'IDENTITY_PROVIDER_UNAVAILABLE');
        expect(response.headers['retry-after']).toMatch(/^\d+$/);
        expect(response.headers['cache-control']).toBe('no-store');
      }

      // The cached key keeps serving: an existing session and a fresh login both work.
      await jwksApp.http().get(ME).set(headers).expect(200);
      const again = await loginWith(jwksApp, sign256(KID), ORG_PARIS);
      await jwksApp.http().get(ME).set(again).expect(200);

      // The endpoint comes back with a rotated key: the failure was not cached.
      const rotated = rsaKeyPair();
      keys = await startKeyServer(
        [jwkOf(rsa.publicKey, KID, 'RS256'), jwkOf(rotated.publicKey, 'rsa-outage-2', 'RS256')],
        Number(new URL(keys.url).port),
      );
      const rotatedToken = bearerToken('alice', {
        secret: rotated.privateKey,
        algorithm: 'RS256',
        keyid: 'rsa-outage-2',
      });
      await refetchIntervalPassed();
      await jwksApp
        .http()
        .get(ME)
        .set({ ...headers, Authorization: bearerHeader(rotatedToken) })
        .expect(200);
      expect(keys.requests.length).toBeGreaterThanOrEqual(1);
      expectUnauthorized(
        await jwksApp
          .http()
          .post(SESSIONS)
          .set('Authorization', bearerHeader(sign256('never-seen-kid')))
          .send({ organizationId: ORG_PARIS }),
        'TOKEN_INVALID',
        'invalid_token',
      );
    });
  });
  describe('JWKS endpoint down for many requests', () => {
    const KID = 'rsa-long-outage-1';
    const rsa = rsaKeyPair();
    let keys: KeyServer;
    let jwksApp: TestApp;

    beforeAll(async () => {
      keys = await startKeyServer([jwkOf(rsa.publicKey, KID, 'RS256')]);
      jwksApp = await startTestApp(engine, {
        env: {
          AUTH_JWT_SECRET: undefined,
          AUTH_JWKS_URI: keys.url,
          AUTH_JWKS_REFETCH_INTERVAL_SECONDS: String(REFETCH_INTERVAL_SECONDS),
        },
      });
    });
    afterAll(async () => {
      await jwksApp?.close();
      await keys?.close();
    });

    it('keeps answering 503, never 401, for unseen kids past the fetch rate limit', async () => {
      const sign256 = (kid: string) =>
        bearerToken('alice', { secret: rsa.privateKey, algorithm: 'RS256', keyid: kid });
      await loginWith(jwksApp, sign256(KID), ORG_PARIS);
      LOG_GUARD.expect(/request failed/); // every 503 is logged at error
      await keys.close();
      await refetchIntervalPassed();

      // Fifteen callers whose tokens carry a key rotated in during the outage: an outage must
      // never look like a sign-out, also once the JWKS fetches are rate limited.
      const answers: { status: number; code: string }[] = [];
      for (let index = 0; index < 15; index++) {
        const response = await jwksApp
          .http()
          .post(SESSIONS)
          .set('Authorization', bearerHeader(sign256(`rotated-during-outage-${index}`)))
          .send({ organizationId: ORG_PARIS });
        answers.push({ status: response.status, code: (response.body as { code: string }).code });
      }
      expect(answers).toEqual(
        Array.from({ length: 15 }, () => ({
          status: 503,
          code: 'IDENTITY_PROVIDER_UNAVAILABLE',
        })),
      );
    });
  });
});
