import { join } from 'node:path';
import { createTestDatabase, TestDatabase } from './support/databases';
import {
  cleanEnv,
  freePort,
  killAllProcesses,
  NodeProcess,
  REPO_ROOT,
  runNode,
} from './support/processes';
import { bearerToken, TEST_BEARER_SECRET, TEST_SESSION_SECRET } from './support/tokens';

const ORG_CREATE = join(REPO_ROOT, 'dist', 'cli', 'org-create.js');
const MAIN = join(REPO_ROOT, 'dist', 'main.js');

/**
 * The README's deployment walk: an empty MySQL database, `npm run org:create` (DESIGN 13) in
 * production, the server, and the first administrator's acceptance, session and PATCH.
 */
describe('npm run org:create', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase('mariadb');
  });
  afterAll(async () => {
    await killAllProcesses();
    await database.drop();
  });

  const production = (extra: Record<string, string> = {}) =>
    cleanEnv({
      ...extra,
      NODE_ENV: 'production',
      DATABASE_URL: database.url,
      AUTH_JWT_SECRET: TEST_BEARER_SECRET,
      SESSION_TOKEN_SECRET: TEST_SESSION_SECRET,
      AUTH_JWT_ISSUER: 'https://idp.example',
      AUTH_JWT_AUDIENCE: 'users-organizations',
      INVITATION_ACCEPT_URL: 'https://care.example/join?token={token}',
    });

  it('takes an empty database to a first administrator’s PATCH', async () => {
    const result = await runNode(
      [
        ORG_CREATE,
        '--name',
        'Clinique Saint-Roch',
        '--external-id',
        'crm-42',
        '--admin-email',
        'direction@saint-roch.example',
        '--admin-first-name',
        'Claire',
        '--admin-last-name',
        'Morel',
      ],
      { env: production(), timeoutMs: 60_000 },
    );
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    const organizationId = Number(/^Organization (\d+) created/m.exec(result.stdout)?.[1]);
    const token = /^Invitation token: (\S+)$/m.exec(result.stdout)?.[1] as string;
    expect(result.stdout).toContain(
      `Accept URL: https://care.example/join?token=${encodeURIComponent(token)}`,
    );

    // The server, as deployed: production, no demo data, the same database.
    const port = await freePort();
    const server = new NodeProcess([MAIN], {
      cwd: REPO_ROOT,
      env: production({ PORT: String(port) }),
    });
    try {
      await server.waitForStdout(/Serving on/, 60_000);
      const base = `http://127.0.0.1:${port}/users-organizations/v1/rs`;
      const claire = `Bearer ${bearerToken('claire', {
        issuer: 'https://idp.example',
        audience: 'users-organizations',
        claims: { email: 'direction@saint-roch.example', email_verified: true },
      })}`;
      const call = async (method: string, path: string, body?: object, session?: string) => {
        const response = await fetch(`${base}${path}`, {
          method,
          headers: {
            Authorization: claire,
            'content-type': 'application/json',
            ...(session === undefined ? {} : { 'x-session-token': session }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        return {
          status: response.status,
          body: (await response.json()) as { data: Record<string, unknown> },
        };
      };
      const accepted = await call('POST', '/invitations/accept', { token });
      expect(accepted).toMatchObject({ status: 201, body: { data: { organizationId, scope: 1 } } });
      const session = await call('POST', '/sessions', { organizationId });
      expect(session.status).toBe(201);
      const sessionToken = session.body.data.sessionToken as string;
      const patched = await call('PATCH', '/users/me', { firstName: 'Claire-Marie' }, sessionToken);
      expect(patched).toMatchObject({ status: 200, body: { data: { firstName: 'Claire-Marie' } } });
      const trail = await call('GET', '/audit-events?limit=100', undefined, sessionToken);
      const rows = trail.body.data as unknown as { action: string; actorClientId: string | null }[];
      expect(rows.map((row) => [row.action, row.actorClientId]).reverse()).toEqual([
        ['organization.created', 'cli:org-create'],
        ['invitation.created', 'cli:org-create'],
        ['invitation.accepted', null],
        ['membership.created', null],
        ['session.opened', null],
        ['membership.updated', null],
      ]);
    } finally {
      await server.stop();
    }

    const again = await runNode(
      [ORG_CREATE, '--name', 'Twice', '--external-id', 'crm-42', '--admin-email', 'x@example.com'],
      { env: production(), timeoutMs: 60_000 },
    );
    expect(again.code).toBe(2);
    expect(again.stderr.trim().split('\n')).toEqual([
      expect.stringContaining('Another organization has this externalId'),
    ]);
  });

  it.each([
    ['without --admin-email', ['--name', 'Care'], '--name and --admin-email are required'],
    [
      'with a name that starts with a space',
      ['--name', ' Care', '--admin-email', 'a@example.com'],
      '--name must not start or end with whitespace',
    ],
    [
      'with an email that is not one',
      ['--name', 'Care', '--admin-email', 'nope'],
      '--admin-email must be an email address',
    ],
  ])('refuses %s in one line and the usage, creating nothing', async (_label, args, message) => {
    const result = await runNode([ORG_CREATE, ...args], { env: production() });
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n')[0]).toBe(message);
    expect(result.stderr).toContain('npm run org:create -- --name');
  });
});
