import { UserEntity } from '../src/users/entities/user.entity';
import { createTestDatabase, ENGINES, TestDatabase } from './support/databases';
import { invite } from './support/invitations';
import { jwkOf, KeyServer, startKeyServer } from './support/key-server';
import { expectProblem, serviceToken, SVC_ORGANIZATIONS } from './support/service';
import { startTestApp, TestApp } from './support/test-app';
import { bearerToken, rsaKeyPair, TEST_BEARER_SECRET } from './support/tokens';

const RS = '/users-organizations/v1/rs';
const ISSUER_A = 'https://idp-a.example';
const ISSUER_B = 'https://idp-b.example/realms/care';
const AUDIENCE_A = 'users-organizations';
const AUDIENCE_B = 'users-organizations-b';
const KID_B = 'b-1';

/**
 * Users are keyed by (issuer, subject) (DESIGN 4, 5): issuer A is the default issuer (HS256,
 * the demo users are its), issuer B a second trusted issuer with its own JWKS.
 */
describe.each(ENGINES)('trusted issuers on %s', (engine) => {
  let t: TestApp;
  let keys: KeyServer;
  const keyB = rsaKeyPair();

  const tokenA = (subject: string, claims: Record<string, unknown> = {}) =>
    bearerToken(subject, { issuer: ISSUER_A, audience: AUDIENCE_A, claims });
  const tokenB = (subject: string, claims: Record<string, unknown> = {}) =>
    bearerToken(subject, {
      secret: keyB.privateKey,
      algorithm: 'RS256',
      keyid: KID_B,
      issuer: ISSUER_B,
      audience: AUDIENCE_B,
      claims,
    });
  const myOrganizations = (token: string) =>
    t.http().get(`${RS}/me/organizations`).set('Authorization', `Bearer ${token}`);

  beforeAll(async () => {
    keys = await startKeyServer([jwkOf(keyB.publicKey, KID_B, 'RS256')]);
    t = await startTestApp(engine, {
      env: {
        AUTH_JWT_ISSUER: ISSUER_A,
        AUTH_JWT_AUDIENCE: AUDIENCE_A,
        AUTH_ISSUERS: JSON.stringify([
          { issuer: ISSUER_B, jwksUri: keys.url, audience: AUDIENCE_B },
        ]),
      },
    });
  });
  afterAll(async () => {
    await t.close();
    await keys.close();
  });

  it("accepts each issuer's tokens with its own keys and audience", async () => {
    const alice = await myOrganizations(tokenA('alice')).expect(200);
    expect(alice.body.data).toEqual([expect.objectContaining({ organizationId: 1 })]);
    await myOrganizations(tokenB('someone-at-b')).expect(200);
  });

  it('makes the same sub from two issuers two users: B’s alice is not A’s alice', async () => {
    const fromB = await myOrganizations(tokenB('alice')).expect(200);
    expect(fromB.body.data).toEqual([]);
    expectProblem(
      await t
        .http()
        .post(`${RS}/sessions`)
        .set('Authorization', `Bearer ${tokenB('alice')}`)
        .send({ organizationId: 1 }),
      403,
      'NOT_A_MEMBER',
    );
    const rows = await t.dataSource.getRepository(UserEntity).findBy({ subject: 'alice' });
    expect(rows.map((row) => row.issuer).sort()).toEqual([ISSUER_A, ISSUER_B]);
  });

  it.each([
    [
      'claims issuer A, signed with B’s key',
      () =>
        bearerToken('alice', {
          secret: keyB.privateKey,
          algorithm: 'RS256',
          keyid: KID_B,
          issuer: ISSUER_A,
          audience: AUDIENCE_A,
        }),
    ],
    [
      'claims issuer B, signed with A’s secret',
      () => bearerToken('alice', { issuer: ISSUER_B, audience: AUDIENCE_B }),
    ],
    [
      'names an issuer nobody trusts',
      () => bearerToken('alice', { issuer: 'https://evil.example', audience: AUDIENCE_A }),
    ],
    ['carries no issuer', () => bearerToken('alice', { audience: AUDIENCE_A })],
    [
      'is for another audience of A',
      () => bearerToken('alice', { issuer: ISSUER_A, audience: 'billing' }),
    ],
    [
      'carries A’s audience from B',
      () =>
        bearerToken('alice', {
          secret: keyB.privateKey,
          algorithm: 'RS256',
          keyid: KID_B,
          issuer: ISSUER_B,
          audience: AUDIENCE_A,
        }),
    ],
    ['carries no audience', () => bearerToken('alice', { issuer: ISSUER_A })],
  ])('is 401 for a token that %s', async (_label, token) => {
    expectProblem(await myOrganizations(token()), 401, 'TOKEN_INVALID');
  });

  it("counts only the default issuer's verified emails for invitations", async () => {
    // t.login signs without `iss`, which this app refuses: A's alice signs in by hand.
    const bearer = `Bearer ${tokenA('alice')}`;
    const opened = await t
      .http()
      .post(`${RS}/sessions`)
      .set('Authorization', bearer)
      .send({ organizationId: 1 })
      .expect(201);
    const headers = { Authorization: bearer, 'x-session-token': opened.body.data.sessionToken };
    await invite(t, headers, { email: 'mallory@example.com' }).expect(201);
    const fromB = await t
      .http()
      .get(`${RS}/me/invitations`)
      .set(
        'Authorization',
        `Bearer ${tokenB('mallory-b', { email: 'mallory@example.com', email_verified: true })}`,
      )
      .expect(200);
    expect(fromB.body.data).toEqual([]);
    const fromA = await t
      .http()
      .get(`${RS}/me/invitations`)
      .set(
        'Authorization',
        `Bearer ${tokenA('mallory-a', { email: 'mallory@example.com', email_verified: true })}`,
      )
      .expect(200);
    expect(fromA.body.data).toHaveLength(1);
  });
});

describe('the svc plane in production', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase('mariadb');
  });
  afterAll(() => database.drop());

  const production = {
    NODE_ENV: 'production',
    AUTH_JWT_ISSUER: 'https://idp.example',
    AUTH_JWT_AUDIENCE: 'users-organizations',
    AUTH_JWT_SECRET: TEST_BEARER_SECRET,
  };

  it('is absent (404) without AUTH_SERVICE_AUDIENCE', async () => {
    const t = await startTestApp('mariadb', {
      databaseUrl: database.url,
      env: production,
      demo: false,
    });
    try {
      const token = serviceToken('operator', 'organizations:read', {
        claims: { iss: 'https://idp.example' },
      });
      const response = await t
        .http()
        .get(SVC_ORGANIZATIONS)
        .set('Authorization', `Bearer ${token}`);
      expectProblem(response, 404, 'ROUTE_NOT_FOUND');
      const metadata = await t.http().get('/.well-known/authzen-configuration');
      expectProblem(metadata, 404, 'ROUTE_NOT_FOUND');
    } finally {
      await t.close();
    }
  });

  it('admits only the clients SERVICE_CLIENTS lists when AUTH_SERVICE_AUDIENCE is set', async () => {
    const t = await startTestApp('mariadb', {
      databaseUrl: database.url,
      demo: false,
      env: {
        ...production,
        AUTH_SERVICE_AUDIENCE: 'users-organizations-services',
        PUBLIC_BASE_URL: 'https://api.example',
        SERVICE_CLIENTS: JSON.stringify({
          billing: { rights: ['organizations:read'], organizations: '*' },
        }),
      },
    });
    try {
      const sign = (client: string) =>
        `Bearer ${serviceToken(client, 'organizations:read', { claims: { iss: 'https://idp.example' } })}`;
      await t.http().get(SVC_ORGANIZATIONS).set('Authorization', sign('billing')).expect(200);
      expectProblem(
        await t.http().get(SVC_ORGANIZATIONS).set('Authorization', sign('cli')),
        401,
        'TOKEN_INVALID',
      );
    } finally {
      await t.close();
    }
  });
});
