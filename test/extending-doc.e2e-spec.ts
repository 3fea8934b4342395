import { execFile } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { DynamicModule, Type } from '@nestjs/common';
import { invite } from './support/invitations';
import { REPO_ROOT } from './support/processes';
import { asService, expectProblem, SVC_ORGANIZATIONS } from './support/service';
import { NO_RATE_LIMITS, startTestApp, TestApp } from './support/test-app';

/**
 * docs/extending.md is code that must paste as it is: each TypeScript block whose first line
 * names a file (`// src/rosters/rosters.service.ts`) is that file. They are copied into a
 * scratch `src/` beside the project's own folders, compiled with the project's strict tsconfig,
 * mounted in the app as AppModule would mount them, and called over HTTP.
 */

const DOC = join(REPO_ROOT, 'docs', 'extending.md');
/** A line that starts a file: its path, then anything (a remark in parentheses). */
const FILE_MARKER = /^\/\/ (src\/[\w./-]+\.ts)\b/;
const RS = '/users-organizations/v1/rs';

/** Every file the doc shows, by path: a block holds one or more, each up to the next marker. */
function filesOfDoc(markdown: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const [, block] of markdown.matchAll(/^```ts\n([\s\S]*?)^```$/gm)) {
    let path: string | null = null;
    let lines: string[] = [];
    const flush = () => {
      if (path === null) return;
      if (files.has(path)) throw new Error(`docs/extending.md shows ${path} twice`);
      files.set(path, `${lines.join('\n').trim()}\n`);
    };
    for (const line of block.split('\n')) {
      const marker = FILE_MARKER.exec(line);
      if (marker) {
        flush();
        path = marker[1];
        lines = [];
      } else {
        lines.push(line);
      }
    }
    flush();
  }
  return files;
}

/**
 * A scratch checkout whose `src/` holds the doc's files and links to every folder of the real
 * one, so that `../auth` in a doc file is the project's auth module (Node, TypeScript and Jest
 * all follow the link to the same real file).
 */
function scratchSource(files: Map<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'uo-extending-'));
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
  const folders = new Set([...files.keys()].map((path) => path.split('/')[1]));
  mkdirSync(join(root, 'src'));
  for (const entry of readdirSync(join(REPO_ROOT, 'src'))) {
    if (!folders.has(entry)) symlinkSync(join(REPO_ROOT, 'src', entry), join(root, 'src', entry));
  }
  for (const [path, text] of files) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  writeFileSync(
    join(root, 'tsconfig.json'),
    JSON.stringify({
      extends: join(REPO_ROOT, 'tsconfig.json'),
      compilerOptions: { noEmit: true, incremental: false, rootDir: '/', types: ['node'] },
      include: [...folders].map((folder) => `src/${folder}/**/*.ts`),
    }),
  );
  return root;
}

function typeCheck(root: string): Promise<{ code: number; output: string }> {
  const tsc = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  return new Promise((resolveRun) => {
    execFile(
      process.execPath,
      [tsc, '-p', join(root, 'tsconfig.json')],
      { cwd: root, timeout: 180_000 },
      (error, stdout, stderr) => {
        resolveRun({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` });
      },
    );
  });
}

const files = filesOfDoc(readFileSync(DOC, 'utf8'));
let root: string;

beforeAll(() => {
  root = scratchSource(files);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('docs/extending.md, as code', () => {
  it('shows every file of the rosters and mailer modules, their index.ts included', () => {
    expect([...files.keys()].sort()).toEqual([
      'src/mailer/index.ts',
      'src/mailer/invitation-mailer.ts',
      'src/mailer/mailer.module.ts',
      'src/rosters/dto/create-roster.dto.ts',
      'src/rosters/dto/roster.response.ts',
      'src/rosters/index.ts',
      'src/rosters/roster-sync.ts',
      'src/rosters/roster-visibility.ts',
      'src/rosters/rosters.controller.ts',
      'src/rosters/rosters.module.ts',
      'src/rosters/rosters.service.ts',
      'src/rosters/service-rosters.controller.ts',
    ]);
    // A new route changes the reviewed snapshot of every route's guards: the walkthrough says how.
    expect(readFileSync(DOC, 'utf8')).toContain('npx jest --ci=false test/route-permissions -u');
  });

  it('compiles with the project, strict, as it is', async () => {
    const { code, output } = await typeCheck(root);
    expect({ code, output }).toEqual({ code: 0, output: '' });
  }, 180_000);

  describe('mounted in the app beside its own modules', () => {
    let t: TestApp;
    let asAlice: Record<string, string>;
    let asBob: Record<string, string>;
    let RosterVisibility: Type<{
      canSee(userId: number, organizationId: number, groupId: number): Promise<boolean>;
    }>;

    beforeAll(async () => {
      // Through each module's index.ts, as src/app.module.ts imports them.
      /* eslint-disable @typescript-eslint/no-require-imports -- the files exist only at run time */
      const rosters = require(join(root, 'src', 'rosters')) as Record<string, unknown>;
      const mailer = require(join(root, 'src', 'mailer')) as Record<string, unknown>;
      /* eslint-enable @typescript-eslint/no-require-imports */
      RosterVisibility = rosters.RosterVisibility as typeof RosterVisibility;
      t = await startTestApp('sqlite', {
        env: NO_RATE_LIMITS,
        extraModules: [rosters.RostersModule, mailer.MailerModule] as DynamicModule['imports'],
      });
      asAlice = await t.login('alice', 1);
      asBob = await t.login('bob', 1);
    });
    afterAll(() => t.close());

    it('serves its routes behind the guard chain: members read, administrators create', async () => {
      await t.http().get(`${RS}/rosters`).set(asBob).expect(200, { data: [] });
      const created = await t
        .http()
        .post(`${RS}/rosters`)
        .set(asAlice)
        .send({ name: 'Week 48, night team' });
      expect({ status: created.status, body: created.body as unknown }).toEqual({
        status: 201,
        body: { data: { id: 1, name: 'Week 48, night team', createdByUserId: 1 } },
      });
      await t
        .http()
        .get(`${RS}/rosters`)
        .set(asBob)
        .expect(200, { data: [{ id: 1, name: 'Week 48, night team', createdByUserId: 1 }] });

      expectProblem(
        await t.http().post(`${RS}/rosters`).set(asAlice).send({ name: 'Week 48, night team' }),
        409,
        'CONFLICT',
      );
      expectProblem(
        await t.http().post(`${RS}/rosters`).set(asBob).send({ name: 'Week 49' }),
        403,
        'ADMIN_REQUIRED',
      );
      expectProblem(
        await t.http().post(`${RS}/rosters`).set(asAlice).send({ name: '' }),
        400,
        'VALIDATION_FAILED',
      );
      expectProblem(await t.http().get(`${RS}/rosters`), 401, 'TOKEN_MISSING');
    });

    it('serves its svc route to a service with the right, in its organizations only', async () => {
      const reader = asService('reader', 'organizations:read');
      await t
        .http()
        .get(`${SVC_ORGANIZATIONS}/1/rosters`)
        .set(reader)
        .expect(200, { data: [{ id: 1, name: 'Week 48, night team', createdByUserId: 1 }] });
      await t.http().get(`${SVC_ORGANIZATIONS}/2/rosters`).set(reader).expect(200, { data: [] });
    });

    it('asks the decision point in process', async () => {
      const visibility = t.app.get(RosterVisibility);
      // carol (3) reads the night team (2); bob (2) reads only the day team (1).
      expect(await visibility.canSee(3, 1, 2)).toBe(true);
      expect(await visibility.canSee(2, 1, 2)).toBe(false);
    });

    it('sends invitations through its mailer without failing the request', async () => {
      const response = await invite(t, asAlice, {
        email: 'grace@example.com',
        firstName: 'Grace',
        lastName: 'Hopper',
      });
      expect(response.status).toBe(201);
    });

    it('forgets the author of its rosters when that person is erased', async () => {
      await t.http().patch(`${RS}/users/3`).set(asAlice).send({ scope: 1 }).expect(200);
      const asCarol = await t.login('carol', 1);
      await t.http().post(`${RS}/rosters`).set(asCarol).send({ name: 'Week 49' }).expect(201);
      await t
        .http()
        .post('/users-organizations/v1/svc/users/erase')
        .set(asService('privacy-desk', 'users:erase'))
        .send({ userId: 3 })
        .expect(200);
      const listed = await t.http().get(`${RS}/rosters`).set(asBob).expect(200);
      expect(listed.body).toEqual({
        data: [
          { id: 1, name: 'Week 48, night team', createdByUserId: 1 },
          { id: 2, name: 'Week 49', createdByUserId: null },
        ],
      });
    });
  });
});
