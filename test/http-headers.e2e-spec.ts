import type { Response } from 'supertest';
import { startTestApp, TestApp } from './support/test-app';

// Security headers (helmet) and caching, on what the app serves. They do not depend on the
// database engine: SQLite only.
const ME = '/users-organizations/v1/rs/users/me';
const DOCS = '/users-organizations/docs';

/** The directives of a Content-Security-Policy header, by name. */
function directives(response: Response): Map<string, string[]> {
  const header = response.headers['content-security-policy'] as string | undefined;
  expect(header).toBeDefined();
  return new Map(
    (header as string)
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .filter((words) => words[0] !== '')
      .map(([name, ...values]) => [name, values]),
  );
}

function expectCommonSecurityHeaders(response: Response) {
  expect(response.headers['x-content-type-options']).toBe('nosniff');
  expect(response.headers['strict-transport-security']).toMatch(/^max-age=\d{7,}/);
  expect(response.headers['referrer-policy']).toBe('no-referrer');
  expect(response.headers['cross-origin-opener-policy']).toBe('same-origin');
  expect(response.headers['cross-origin-resource-policy']).toBe('same-origin');
  expect(response.headers['x-powered-by']).toBeUndefined();
}

describe('HTTP security headers and caching (sqlite)', () => {
  let t: TestApp;
  let headers: Record<string, string>;

  beforeAll(async () => {
    t = await startTestApp('sqlite');
    headers = await t.login('alice', 1);
  });
  afterAll(() => t.close());

  describe('API answers', () => {
    const cases: [string, () => Promise<Response>][] = [
      ['an authenticated 200', () => t.http().get(ME).set(headers).expect(200)],
      ['a 401 problem', () => t.http().get(ME).expect(401)],
      ['a 400 problem', () => t.http().patch(ME).set(headers).send({ scope: '1' }).expect(400)],
      ['a 404 problem', () => t.http().get('/nowhere').expect(404)],
      ['the health probe', () => t.http().get('/health/live').expect(200)],
      ['the OpenAPI document', () => t.http().get(`${DOCS}-json`).expect(200)],
    ];

    it.each(cases)(
      '%s carries helmet headers and a policy that allows nothing',
      async (_, send) => {
        const response = await send();
        expectCommonSecurityHeaders(response);
        const policy = directives(response);
        expect(policy.get('default-src')).toEqual(["'none'"]);
        expect(policy.get('frame-ancestors')).toEqual(["'none'"]);
        expect(response.headers['x-frame-options']).toBe('DENY');
      },
    );

    it.each([
      ['GET /users/me', () => t.http().get(ME).set(headers)],
      ['PATCH /users/me', () => t.http().patch(ME).set(headers).send({ lastName: 'Martin' })],
      [
        'GET /users/me without a session token',
        () => t.http().get(ME).set({ Authorization: headers.Authorization }),
      ],
      [
        'GET /me/organizations',
        () =>
          t
            .http()
            .get('/users-organizations/v1/rs/me/organizations')
            .set({ Authorization: headers.Authorization }),
      ],
    ])('%s is Cache-Control: no-store, success or error', async (_, send) => {
      const response = await send();
      expect(response.status).toBeLessThan(500);
      expect(response.headers['cache-control']).toBe('no-store');
    });
  });

  describe('the Swagger UI still loads under its content security policy', () => {
    let page: Response;
    beforeAll(async () => {
      page = await t.http().get(DOCS).expect(200);
    });

    it('is served with helmet headers and a page policy that allows its own assets', () => {
      expectCommonSecurityHeaders(page);
      const policy = directives(page);
      expect(policy.get('default-src')).toEqual(["'self'"]);
      expect(policy.get('script-src')).toEqual(["'self'"]);
      // swagger-ui's page has inline <style> blocks and data: images.
      expect(policy.get('style-src')).toEqual(
        expect.arrayContaining(["'self'", "'unsafe-inline'"]),
      );
      expect(policy.get('img-src')).toEqual(expect.arrayContaining(["'self'", 'data:']));
      expect(policy.get('frame-ancestors')).toEqual(["'self'"]);
      expect(policy.get('object-src')).toEqual(["'none'"]);
      // It would send the page's assets to https:// on a plain-HTTP development host.
      expect(policy.has('upgrade-insecure-requests')).toBe(false);
    });

    it('has no inline script (script-src self would block it): every script is a file of its own', () => {
      const scripts = [...page.text.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
      expect(scripts.length).toBeGreaterThan(0);
      for (const [, attributes, body] of scripts) {
        expect(attributes).toMatch(/\ssrc=/);
        expect(body.trim()).toBe('');
      }
    });

    it('loads every script and stylesheet it names from this origin', async () => {
      const sources = [
        ...[...page.text.matchAll(/<script[^>]*\ssrc=["']([^"']+)["']/g)].map((match) => match[1]),
        ...[...page.text.matchAll(/<link[^>]*rel=["']stylesheet["'][^>]*>/g)].map(
          (match) => /href=["']([^"']+)["']/.exec(match[0])?.[1] as string,
        ),
      ];
      expect(sources.length).toBeGreaterThanOrEqual(4);
      const base = new URL(`http://localhost${DOCS}/`);
      for (const source of sources) {
        const url = new URL(source, base);
        expect(url.origin).toBe(base.origin);
        const asset = await t.http().get(url.pathname).expect(200);
        expect(asset.headers['content-type']).toMatch(/javascript|css/);
      }
    });

    it('its init script points the UI at the served document', async () => {
      const init = await t.http().get(`${DOCS}/swagger-ui-init.js`).expect(200);
      expect(init.text).toMatch(/"openapi":\s*"3\.|docs-json/);
    });
  });
});
