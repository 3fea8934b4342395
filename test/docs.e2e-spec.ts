import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { ERROR_DEFINITIONS, ErrorCode } from '../src/common/errors/error-code';
import { REPO_ROOT } from './support/processes';

/**
 * The project's documents describe the project from inside it: every relative link of README.md
 * and docs/*.md leads to a file of the repository (and to a heading of it, for an anchor), and
 * docs/contract.md names every route and every error code the API has.
 */

const DOCUMENTS = [
  'README.md',
  ...readdirSync(join(REPO_ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
];
const CONTRACT = readFileSync(join(REPO_ROOT, 'docs', 'contract.md'), 'utf8');

/** The text a reader sees as prose: code blocks and code spans hold no links. */
function prose(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```$/gm, '').replace(/`[^`\n]*`/g, '');
}

/** The targets of inline links `[text](target)` and of reference definitions `[x]: target`. */
function linkTargets(markdown: string): string[] {
  const text = prose(markdown);
  const inline = [...text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map(
    (match) => match[1],
  );
  const references = [...text.matchAll(/^\s*\[[^\]]+\]:\s*(\S+)/gm)].map((match) => match[1]);
  return [...inline, ...references];
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchorsOf(path: string): Set<string> {
  const headings = prose(readFileSync(path, 'utf8')).matchAll(/^#{1,6}\s+(.+)$/gm);
  return new Set([...headings].map((match) => anchorOf(match[1].replace(/`/g, ''))));
}

describe('the documents link only inside the repository', () => {
  it.each(DOCUMENTS)('every relative link of %s resolves to a file of the repository', (name) => {
    const file = join(REPO_ROOT, name);
    const broken: string[] = [];
    const targets = linkTargets(readFileSync(file, 'utf8'));
    for (const target of targets) {
      // Links to the web are fine (RFCs, specifications); a scheme-less one is a file here.
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
      const [path, anchor] = target.split('#');
      const resolved = path === '' ? file : resolve(dirname(file), decodeURIComponent(path));
      const inside = relative(REPO_ROOT, resolved);
      if (inside.startsWith('..') || !existsSync(resolved)) {
        broken.push(`${target}: no such file in the repository`);
      } else if (anchor !== undefined && statSync(resolved).isFile() && resolved.endsWith('.md')) {
        if (!anchorsOf(resolved).has(anchor)) broken.push(`${target}: no such heading`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('the README links to the contract and to the guide for extending', () => {
    const targets = linkTargets(readFileSync(join(REPO_ROOT, 'README.md'), 'utf8'));
    expect(targets).toEqual(expect.arrayContaining(['docs/contract.md', 'docs/extending.md']));
  });
});

describe('docs/contract.md', () => {
  it('names every error code under its status', () => {
    const rows = new Map(
      [...CONTRACT.matchAll(/^\| (\d{3}) +\|(.*)\|$/gm)].map((match) => [
        Number(match[1]),
        match[2],
      ]),
    );
    const missing = Object.values(ErrorCode).filter(
      (code) => !rows.get(ERROR_DEFINITIONS[code].status)?.includes(`\`${code}\``),
    );
    expect(missing).toEqual([]);
  });

  it('names every route of the reviewed route snapshot', () => {
    const snapshot = readFileSync(
      join(REPO_ROOT, 'test', '__snapshots__', 'route-permissions.e2e-spec.ts.snap'),
      'utf8',
    );
    const routes = [...snapshot.matchAll(/^(GET|POST|PUT|PATCH|DELETE) (\/\S*)/gm)].map(
      ([, method, path]) => `${method} ${path.replace(/:(\w+)/g, '{$1}')}`,
    );
    expect(routes.length).toBeGreaterThan(20);
    expect(routes.filter((route) => !CONTRACT.includes(`\`${route}\``))).toEqual([]);
  });
});
