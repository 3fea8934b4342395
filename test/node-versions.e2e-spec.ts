import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { satisfies, subset, validRange } from 'semver';
import { REPO_ROOT } from './support/processes';

/**
 * The Node versions package.json declares (and the README names) are ones every installed
 * package accepts: otherwise `npm ci` warns EBADENGINE on a Node we say we support.
 */

interface LockEntry {
  engines?: { node?: unknown } | unknown[];
}

const packageJson = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
  engines: { node: string };
};
const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, LockEntry>;
};
const declared = packageJson.engines.node;

describe('Node versions', () => {
  it('package.json declares a valid range', () => {
    expect(validRange(declared)).not.toBeNull();
  });

  it('every package in package-lock.json accepts every Node version package.json declares', () => {
    const refusing: string[] = [];
    let checked = 0;
    for (const [path, entry] of Object.entries(lock.packages)) {
      // Old packages wrote engines as an array of strings, which npm does not check.
      const node = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
      if (path === '' || typeof node !== 'string') continue;
      checked++;
      if (!subset(declared, node)) refusing.push(`${path} wants node ${node}`);
    }
    expect(checked).toBeGreaterThan(50);
    expect(refusing).toEqual([]);
  });

  it('this Node (each CI run uses its own) is one package.json declares', () => {
    expect(satisfies(process.version, declared)).toBe(true);
  });
});
