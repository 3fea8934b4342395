#!/usr/bin/env node
// Imports between the top-level folders of src/ (the modules), from the source text: how many
// import statements point from each folder to each other one, and the folders that import each
// other through any path (a cycle). main.ts, create-app.ts and app.module.ts are the
// composition root: they only import, so they are left out. `--check` exits 1 on a cycle.
// Usage: node scripts/module-imports.mjs [--check] [src directory]
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import process from 'node:process';

const args = process.argv.slice(2);
const check = args.includes('--check');
const root = resolve(args.find((arg) => !arg.startsWith('--')) ?? 'src');
const COMPOSITION_ROOT = new Set(['main.ts', 'create-app.ts', 'app.module.ts']);
const IMPORT = /^\s*(?:import|export)\b[^'";]*?\bfrom\s+['"](\.{1,2}\/[^'"]+)['"]/gm;

function* sourceFiles(directory) {
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(path);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) yield path;
  }
}

const folderOf = (path) => relative(root, path).split(sep)[0];
const edges = new Map();
for (const file of sourceFiles(root)) {
  const from = folderOf(file);
  if (COMPOSITION_ROOT.has(from)) continue;
  for (const [, specifier] of readFileSync(file, 'utf8').matchAll(IMPORT)) {
    const to = folderOf(resolve(dirname(file), specifier));
    if (to === from || to.startsWith('..')) continue;
    const targets = edges.get(from) ?? new Map();
    targets.set(to, (targets.get(to) ?? 0) + 1);
    edges.set(from, targets);
  }
}

// Folders that reach each other: strongly connected components (Tarjan).
const folders = [
  ...new Set([...edges.keys(), ...[...edges.values()].flatMap((t) => [...t.keys()])]),
];
const index = new Map();
const low = new Map();
const stack = [];
const cycles = [];
let counter = 0;
function visit(folder) {
  index.set(folder, counter);
  low.set(folder, counter++);
  stack.push(folder);
  for (const next of edges.get(folder)?.keys() ?? []) {
    if (!index.has(next)) {
      visit(next);
      low.set(folder, Math.min(low.get(folder), low.get(next)));
    } else if (stack.includes(next)) {
      low.set(folder, Math.min(low.get(folder), index.get(next)));
    }
  }
  if (low.get(folder) !== index.get(folder)) return;
  const component = [];
  let member;
  do {
    member = stack.pop();
    component.push(member);
  } while (member !== folder);
  if (component.length > 1) cycles.push(component.sort());
}
for (const folder of folders.sort()) if (!index.has(folder)) visit(folder);

for (const folder of [...edges.keys()].sort()) {
  const targets = [...edges.get(folder)].sort(([a], [b]) => a.localeCompare(b));
  process.stdout.write(
    `${folder} -> ${targets.map(([to, count]) => `${to} (${count})`).join(', ')}\n`,
  );
}
process.stdout.write(
  cycles.length === 0
    ? 'No import cycle between the folders of src/.\n'
    : `Import cycles between folders: ${cycles.map((cycle) => cycle.join(' <-> ')).join('; ')}\n`,
);
if (check && cycles.length > 0) process.exit(1);
