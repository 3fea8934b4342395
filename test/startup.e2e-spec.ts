import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, killAllProcesses, REPO_ROOT, runNode } from './support/processes';

/**
 * What a person sees in the first minutes: helpers that answer at once, and start-up failures
 * that say what is wrong. The built app and scripts run as child processes.
 */

const BUILD_IF_STALE = join(REPO_ROOT, 'scripts', 'build-if-stale.mjs');
const scratchDirectories: string[] = [];

function scratchDirectory(prefix: string): string {
  const directory = mkdtempSync(join(tmpdir(), prefix));
  scratchDirectories.push(directory);
  return directory;
}

afterAll(async () => {
  await killAllProcesses();
  for (const directory of scratchDirectories) rmSync(directory, { recursive: true, force: true });
});

describe('helper scripts build only when the sources changed (scripts/build-if-stale.mjs)', () => {
  let project: string;
  const stamp = () => readFileSync(join(project, 'dist', '.built-at'), 'utf8');
  const run = () => runNode([BUILD_IF_STALE], { cwd: project, env: cleanEnv(), timeoutMs: 60_000 });

  beforeAll(() => {
    // A project laid out like this one, small enough to compile in a moment.
    project = scratchDirectory('uo-build-');
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(project, 'node_modules'), 'dir');
    mkdirSync(join(project, 'src'));
    writeFileSync(join(project, 'src', 'main.ts'), 'export const answer: number = 42;\n');
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { outDir: './dist', rootDir: 'src', types: [] } }),
    );
    writeFileSync(
      join(project, 'tsconfig.build.json'),
      JSON.stringify({ extends: './tsconfig.json', include: ['src'] }),
    );
  });

  it('builds when there is no build yet', async () => {
    const result = await run();
    expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 0, stdout: '' });
    expect(result.stderr).toMatch(/Building dist/);
    expect(existsSync(join(project, 'dist', 'main.js'))).toBe(true);
  });

  it('does nothing when nothing changed since', async () => {
    const before = stamp();
    const result = await run();
    expect(result).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(stamp()).toBe(before);
  });

  it('builds again once a source file is newer than the build', async () => {
    const before = stamp();
    const later = new Date(Date.now() + 60_000);
    writeFileSync(join(project, 'src', 'main.ts'), 'export const answer: number = 43;\n');
    utimesSync(join(project, 'src', 'main.ts'), later, later);
    const result = await run();
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/Building dist/);
    expect(stamp()).not.toBe(before);
    expect(readFileSync(join(project, 'dist', 'main.js'), 'utf8')).toContain('43');
  });

  it('fails, and says why, when the sources do not compile', async () => {
    const later = new Date(Date.now() + 120_000);
    writeFileSync(join(project, 'src', 'main.ts'), 'export const answer: number = "no";\n');
    utimesSync(join(project, 'src', 'main.ts'), later, later);
    const result = await run();
    expect(result.code).not.toBe(0);
    expect(result.stdout + result.stderr).toMatch(/TS2322/);
  });
});
