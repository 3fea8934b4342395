import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, REPO_ROOT, runNode } from './support/processes';

const TOKEN_CLI = join(REPO_ROOT, 'dist', 'cli', 'token.js');
const SEED_CLI = join(REPO_ROOT, 'dist', 'cli', 'seed-demo.js');

/** `npm run token` says what to do when it cannot (issue "The first hour", item 9). */
describe('npm run token, on the demo data', () => {
  let directory: string;
  const env = () => cleanEnv({ DATABASE_URL: `sqlite:${join(directory, 'demo.sqlite')}` });
  const token = (...args: string[]) =>
    runNode([TOKEN_CLI, ...args], { env: env(), timeoutMs: 30_000 });

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'uo-token-cli-'));
    const seeded = await runNode([SEED_CLI], { env: env(), timeoutMs: 30_000 });
    expect(seeded.code).toBe(0);
  });
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('answers --help with the usage, and an unknown option with it too', async () => {
    const help = await token('--help');
    expect({ code: help.code, stderr: help.stderr }).toEqual({ code: 0, stderr: '' });
    expect(help.stdout).toContain('npm run token -- [--subject alice]');
    const unknown = await token('--subjct', 'dave');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("Unknown option '--subjct'");
    expect(unknown.stderr).toContain('npm run token -- [--subject alice]');
  });

  it('says where a subject is a member when it is not one of the organization asked for', async () => {
    const result = await token('--subject', 'dave', '--organization', '1');
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      'dave is not an active member of organization 1; dave is a member of 2 (Demo Care Lyon): try --organization 2.',
    );
  });

  it('points an unknown subject to --email', async () => {
    const result = await token('--subject', 'nobody-yet', '--organization', '1');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('use --email <address>');
  });

  it('mints tokens with a second factor when asked', async () => {
    const result = await token('--subject', 'alice', '--amr', 'mfa', '--export');
    expect(result.code).toBe(0);
    const bearer = /BEARER_TOKEN='([^']+)'/.exec(result.stdout)?.[1] as string;
    const claims = JSON.parse(Buffer.from(bearer.split('.')[1], 'base64url').toString()) as {
      amr?: string[];
      auth_time?: number;
    };
    expect(claims.amr).toEqual(['mfa']);
    expect(typeof claims.auth_time).toBe('number');
  });
});
