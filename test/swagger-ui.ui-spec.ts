import type { OpenAPIObject, ParameterObject, SchemaObject } from '@nestjs/swagger';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  cleanEnv,
  freePort,
  killAllProcesses,
  NodeProcess,
  REPO_ROOT,
  runNode,
} from './support/processes';
import {
  type Browser,
  type HttpMethod,
  launchChromium,
  SwaggerUiPage,
  type Tokens,
} from './support/swagger-ui';

/**
 * The Swagger UI in a real browser, as a newcomer uses it on the first day: `npm start` on a
 * fresh machine (embedded database, demo data), the page already authorized as alice, then
 * tokens from `npm run token`, Authorize, and for each route "Try it out", type only what a
 * person must type, "Execute", read the status.
 * `npm run test:ui` runs this alone; screenshots of every execution go to SCREENSHOTS.
 */

const SCREENSHOTS = join(REPO_ROOT, 'test-results', 'swagger-ui');
const START_TIMEOUT_MS = 60_000;
const RS = '/users-organizations/v1/rs';
const DOCS = 'users-organizations/docs';

type Subject = 'alice' | 'bob' | 'frank';

/**
 * The `npm run token` arguments of each person: alice administers organization 1, bob is a
 * member there, frank has only a verified email and the demo invitation to organization 1.
 */
const TOKEN_ARGUMENTS: Record<Subject, string[]> = {
  alice: ['--subject', 'alice', '--organization', '1'],
  bob: ['--subject', 'bob', '--organization', '1'],
  frank: ['--email', 'frank@example.com'],
};

interface Step {
  title: string;
  /** Whose tokens are authorized (TOKEN_ARGUMENTS). */
  as: Subject;
  method: HttpMethod;
  /** The path as the document spells it. */
  path: string;
  /** What a person types into parameters, by name (the path id); nothing else is changed. */
  typed?: Record<string, string>;
  /** A named request body example to pick; without it, the one the UI pre-selects is sent. */
  example?: string;
  status: number;
  /** Text the response body shown in the page contains. */
  shows?: string;
}

/**
 * One entry per execution, run in this order (each sees what the ones before changed). A new
 * route gets its line here, for example
 * `{ title: 'list groups', as: 'alice', method: 'get', path: `${RS}/groups`, status: 200 }`.
 */
const STEPS: Step[] = [
  {
    title: 'list members',
    as: 'alice',
    method: 'get',
    path: `${RS}/users`,
    status: 200,
    shows: 'Carol',
  },
  {
    title: 'alice renames herself with the default example',
    as: 'alice',
    method: 'patch',
    path: `${RS}/users/{userId}`,
    typed: { userId: 'me' },
    status: 200,
    shows: '"firstName": "Alicia"',
  },
  {
    title: 'an administrator changes the permissions of user 3',
    as: 'alice',
    method: 'patch',
    path: `${RS}/users/{userId}`,
    typed: { userId: '3' },
    example: 'administrator changes scope and permissions',
    status: 200,
    shows: '"userId": 3',
  },
  {
    title: 'read user 2',
    as: 'alice',
    method: 'get',
    path: `${RS}/users/{userId}`,
    typed: { userId: '2' },
    status: 200,
    shows: '"lastName": "Durand"',
  },
  {
    title: 'audit events',
    as: 'alice',
    method: 'get',
    path: `${RS}/audit-events`,
    status: 200,
    shows: 'membership.updated',
  },
  {
    title: 'professions',
    as: 'alice',
    method: 'get',
    path: `${RS}/professions`,
    status: 200,
    shows: 'Nurse',
  },
  {
    title: 'groups',
    as: 'alice',
    method: 'get',
    path: `${RS}/groups`,
    status: 200,
    shows: 'Night team',
  },
  {
    title: 'my organizations',
    as: 'alice',
    method: 'get',
    path: `${RS}/me/organizations`,
    status: 200,
    shows: 'Demo Care Paris',
  },
  {
    title: 'open a session',
    as: 'alice',
    method: 'post',
    path: `${RS}/sessions`,
    status: 201,
    shows: '"sessionToken"',
  },
  {
    title: 'remove user 3',
    as: 'alice',
    method: 'delete',
    path: `${RS}/users/{userId}`,
    typed: { userId: '3' },
    status: 204,
  },
  {
    title: 'restore user 3',
    as: 'alice',
    method: 'post',
    path: `${RS}/users/{userId}/restore`,
    typed: { userId: '3' },
    status: 200,
    shows: '"deletedAt": null',
  },
  {
    title: 'invite someone',
    as: 'alice',
    method: 'post',
    path: `${RS}/invitations`,
    status: 201,
    shows: 'nina@example.com',
  },
  {
    title: 'list invitations',
    as: 'alice',
    method: 'get',
    path: `${RS}/invitations`,
    status: 200,
    shows: 'frank@example.com',
  },
  {
    title: 'revoke the new invitation',
    as: 'alice',
    method: 'delete',
    path: `${RS}/invitations/{invitationId}`,
    typed: { invitationId: '2' },
    status: 204,
  },
  {
    title: 'a member edits its own name',
    as: 'bob',
    method: 'patch',
    path: `${RS}/users/{userId}`,
    status: 200,
    shows: '"userId": 2',
  },
  {
    title: 'a member reads itself',
    as: 'bob',
    method: 'get',
    path: `${RS}/users/{userId}`,
    status: 200,
  },
  {
    title: 'revoke the current session',
    as: 'bob',
    method: 'delete',
    path: `${RS}/sessions/current`,
    status: 204,
  },
  {
    title: 'the revoked session is refused',
    as: 'bob',
    method: 'get',
    path: `${RS}/users/{userId}`,
    status: 401,
    shows: 'SESSION_REVOKED',
  },
  {
    title: 'a newcomer sees its invitation',
    as: 'frank',
    method: 'get',
    path: `${RS}/me/invitations`,
    status: 200,
    shows: 'Demo Care Paris',
  },
  {
    title: 'a newcomer accepts it',
    as: 'frank',
    method: 'post',
    path: `${RS}/me/invitations/{invitationId}/accept`,
    typed: { invitationId: '1' },
    status: 201,
    shows: '"firstName": "Frank"',
  },
  {
    title: 'without a session token, the answer says which Authorize button was missed',
    as: 'frank',
    method: 'get',
    path: `${RS}/users/{userId}`,
    status: 401,
    shows: "paste it under session-token and click that form's own Authorize button",
  },
];

const scratch = mkdtempSync(join(tmpdir(), 'uo-ui-'));
let app: NodeProcess;
let base: string;
let browser: Browser;
let ui: SwaggerUiPage;
const tokens = new Map<Subject, Tokens>();
let authorized: Subject | undefined;
let document: OpenAPIObject;

/** `npm run token` runs this once dist/ is built; its output is what a person copies. */
async function tokensOf(subject: Subject): Promise<Tokens> {
  const result = await runNode([join('dist', 'cli', 'token.js'), ...TOKEN_ARGUMENTS[subject]], {
    cwd: scratch,
    env: cleanEnv(),
    timeoutMs: START_TIMEOUT_MS,
  });
  const bearer = /^Bearer token:\s+(\S+)$/m.exec(result.stdout)?.[1];
  const session = /^Session token:\s+(\S+)$/m.exec(result.stdout)?.[1];
  if (result.code !== 0 || !bearer) {
    throw new Error(`npm run token failed:\n${result.stdout}\n${result.stderr}`);
  }
  return { bearer, session };
}

beforeAll(async () => {
  // Laid out like a fresh checkout, so the embedded database is created here, not in the repo.
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(scratch, 'node_modules'), 'dir');
  symlinkSync(join(REPO_ROOT, 'dist'), join(scratch, 'dist'), 'dir');
  mkdirSync(SCREENSHOTS, { recursive: true });
  const port = await freePort();
  app = new NodeProcess([join('dist', 'main.js')], {
    cwd: scratch,
    env: cleanEnv({ PORT: String(port) }),
  });
  // The banner comes last, once the page has the tokens it opens authorized with.
  await app.waitForStdout(/curl -i -X PATCH [\s\S]*?-d '[^']*'\n/, START_TIMEOUT_MS);
  base = `http://localhost:${port}`;
  for (const subject of new Set(STEPS.map((step) => step.as))) {
    tokens.set(subject, await tokensOf(subject));
  }
  browser = await launchChromium();
  ui = new SwaggerUiPage(await browser.context.newPage());
  document = (await (await fetch(`${base}/users-organizations/docs-json`)).json()) as OpenAPIObject;
  await ui.open(`${base}/${DOCS}`);
});

/** The documented defaults of a step's query parameters, and the examples of its path ones. */
function parametersOf(step: Step): {
  defaults: Record<string, string>;
  pathValues: Record<string, string>;
} {
  const parameters = (document.paths[step.path]?.[step.method]?.parameters ??
    []) as ParameterObject[];
  const valueOf = (parameter: ParameterObject, key: 'default' | 'example') =>
    [[parameter.name, String((parameter.schema as SchemaObject | undefined)?.[key])]] as const;
  return {
    defaults: Object.fromEntries(
      parameters
        .filter((parameter) => parameter.in === 'query')
        .flatMap((p) => valueOf(p, 'default')),
    ),
    pathValues: Object.fromEntries(
      parameters
        .filter((parameter) => parameter.in === 'path')
        .flatMap((p) => valueOf(p, 'example')),
    ),
  };
}

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await killAllProcesses();
  rmSync(scratch, { recursive: true, force: true });
});

describe('Swagger UI in Chromium: every "Try it out" works as shown', () => {
  it('links the OpenAPI JSON document from the page', async () => {
    const link = ui.page.locator('.info a[href$="/users-organizations/docs-json"]');
    await link.waitFor();
    const response = await ui.page.request.get(
      new URL((await link.getAttribute('href'))!, base).href,
    );
    expect(response.status()).toBe(200);
    expect(((await response.json()) as { openapi: string }).openapi).toMatch(/^3\./);
  });

  it('opens authorized as alice: Try it out on the PATCH answers 200 with nothing pasted', async () => {
    // A fresh browser profile, the page as it first loads: nothing typed, nothing pasted.
    // The padlock of the Authorize button closes once the UI restored the authorization.
    await ui.page.locator('.auth-wrapper button.authorize.locked').waitFor();
    const operation = ui.operation('patch', `${RS}/users/{userId}`);
    const shown = await ui.execute(operation, {});
    await ui.screenshot(operation, join(SCREENSHOTS, '00-preauthorized-alice-patch.png'));
    await ui.close(operation);
    expect({ status: shown.status, body: shown.status === 200 ? '' : shown.body }).toEqual({
      status: 200,
      body: '',
    });
    expect(shown.body).toContain('"userId": 1');
    expect(new URL(shown.requestUrl).pathname).toBe(`${RS}/users/me`);
  });

  it('says how to switch user, and that each scheme has its own Authorize button', async () => {
    const description = await ui.page.locator('.info .description').innerText();
    expect(description).toContain('opens authorized as alice');
    expect(description).toContain('npm run token -- --subject bob --organization 1');
    expect(description).toContain('each scheme has its own form and its own Authorize button');
  });

  it.each(
    STEPS.map((step, index) => [`${index + 1}. ${step.title} (${step.as})`, index, step] as const),
  )('%s', async (_title, index, step) => {
    if (authorized !== step.as) {
      // Another person: a page as it first loads, then that person's tokens.
      if (authorized !== undefined) await ui.open(`${base}/${DOCS}`);
      await ui.authorize(tokens.get(step.as)!);
      authorized = step.as;
    }
    const operation = ui.operation(step.method, step.path);
    const shown = await ui.execute(operation, { typed: step.typed, example: step.example });
    const name = `${String(index + 1).padStart(2, '0')}-${step.as}-${step.title.replace(/\W+/g, '-')}`;
    await ui.screenshot(operation, join(SCREENSHOTS, `${name}.png`));
    await ui.close(operation);

    expect({ status: shown.status, body: shown.status === step.status ? '' : shown.body }).toEqual({
      status: step.status,
      body: '',
    });
    if (step.shows !== undefined) expect(shown.body).toContain(step.shows);
    // Nothing but what was typed and what the document shows: the path holds the typed values
    // (else the documented example, `me`), and a query parameter is sent only with its
    // documented default, which changes nothing.
    const sent = new URL(shown.requestUrl);
    const { defaults, pathValues } = parametersOf(step);
    expect(sent.pathname).toBe(
      step.path.replace(
        /\{(\w+)\}/g,
        (_match, name: string) => step.typed?.[name] ?? pathValues[name],
      ),
    );
    for (const [name, value] of sent.searchParams) {
      expect({ name, value }).toEqual({ name, value: defaults[name] });
    }
  });
});
