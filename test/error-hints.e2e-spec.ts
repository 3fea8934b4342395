import { problemViolations } from './support/problem';
import { bearerToken } from './support/tokens';
import { NO_RATE_LIMITS, startTestApp, TestApp } from './support/test-app';

/**
 * Errors that say how to fix the request, still as RFC 9457 problems (DESIGN 7). The hints live
 * in the HTTP layer, the same on both engines: SQLite is enough.
 */
const USERS = '/users-organizations/v1/rs/users';

describe('errors that say how to fix the request (sqlite)', () => {
  let t: TestApp;
  let alice: Record<string, string>;

  beforeAll(async () => {
    t = await startTestApp('sqlite', { env: NO_RATE_LIMITS });
    alice = await t.login('alice', 1);
  });
  afterAll(() => t.close());

  it('asks "did you mean firstName?" for a misspelt property', async () => {
    const response = await t.http().patch(`${USERS}/2`).set(alice).send({ fristName: 'Robert' });
    expect(response.status).toBe(400);
    expect(problemViolations(response)).toEqual([]);
    expect(response.body).toMatchObject({
      code: 'VALIDATION_FAILED',
      errors: [
        { field: 'fristName', message: 'is not an allowed property; did you mean firstName?' },
      ],
    });
  });

  it('asks the same of a misspelt query parameter', async () => {
    const response = await t.http().get(USERS).query({ scop: '2' }).set(alice);
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([
      { field: 'scop', message: 'is not an allowed property; did you mean scope?' },
    ]);
  });

  it('says that a number was sent as a string, and what to send', async () => {
    const response = await t
      .http()
      .patch(`${USERS}/2`)
      .set(alice)
      .send({ professionId: '2', permissions: { group: 1, read: [1, '2'], manage: [] } });
    expect(response.status).toBe(400);
    expect(problemViolations(response)).toEqual([]);
    expect(response.body.errors).toEqual([
      {
        field: 'professionId',
        message:
          'must be a profession id or null; got the string "2": send 2, a number, without quotes',
      },
      {
        field: 'permissions.read[1]',
        message:
          'must be an integer in the safe range; got the string "2": send 2, a number, without quotes',
      },
    ]);
  });

  it('says how to get a new access token when it has expired', async () => {
    const expired = bearerToken('alice', { expiresIn: -60 });
    const response = await t
      .http()
      .get(`${USERS}/me`)
      .set({ ...alice, Authorization: `Bearer ${expired}` });
    expect(response.status).toBe(401);
    expect(problemViolations(response)).toEqual([]);
    expect(response.body).toMatchObject({
      code: 'TOKEN_INVALID',
      detail: expect.stringMatching(/has expired: get a new one .*npm run token/),
    });
    expect(response.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
  });

  it('keeps the generic text for a token that is bad in another way', async () => {
    const forged = bearerToken('alice', { secret: 'another-secret-0123456789abcdef0123456789' });
    const response = await t
      .http()
      .get(`${USERS}/me`)
      .set({ ...alice, Authorization: `Bearer ${forged}` });
    expect(response.status).toBe(401);
    expect(response.body.detail).not.toMatch(/npm run token/);
  });

  it.each([
    ['PUT', `${USERS}/2`, 'DELETE, GET, HEAD, PATCH'],
    ['POST', `${USERS}/me`, 'DELETE, GET, HEAD, PATCH'],
    ['PATCH', '/users-organizations/v1/rs/professions', 'GET, HEAD'],
    ['DELETE', '/users-organizations/v1/rs/sessions', 'POST'],
    ['POST', '/health/live', 'GET, HEAD'],
  ])('answers %s %s with 405 and Allow: %s', async (method, path, allow) => {
    const response = await t
      .http()
      [method.toLowerCase() as 'put' | 'post' | 'patch' | 'delete'](path)
      .set(alice);
    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe(allow);
    expect(problemViolations(response)).toEqual([]);
    expect(response.body).toMatchObject({
      code: 'METHOD_NOT_ALLOWED',
      detail: `${method} is not served on ${path}; use ${allow}.`,
    });
  });

  it('still answers 404 for a path no route serves', async () => {
    const response = await t.http().put(`${USERS}/2/nickname`).set(alice);
    expect(response.status).toBe(404);
    expect(response.headers.allow).toBeUndefined();
    expect(response.body.code).toBe('ROUTE_NOT_FOUND');
  });
});
