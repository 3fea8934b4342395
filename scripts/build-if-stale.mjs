// Builds dist/ only when a source file is newer than the last build, so that the helper scripts
// (`npm run token`, `seed:demo`, `migration:run`, `start`) answer in about a second instead of
// waiting for the compiler every time. Plain JavaScript: it runs before anything is compiled.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import process from 'node:process';

const root = process.cwd();
// Our own stamp, written after each build made here. Not tsc's .tsbuildinfo: `tsc --noEmit`
// rewrites that one without building anything.
const marker = join(root, 'dist', '.built-at');
const inputs = ['src', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];

/** The latest modification time under `path`, a file or a folder. */
function newest(path) {
  if (!existsSync(path)) return 0;
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  return readdirSync(path).reduce((latest, name) => Math.max(latest, newest(join(path, name))), 0);
}

const built = existsSync(marker) ? statSync(marker).mtimeMs : 0;
const changed = Math.max(...inputs.map((input) => newest(join(root, input))));
if (built > 0 && changed <= built) process.exit(0);

process.stderr.write('Building dist/ (the sources changed since the last build)...\n');
const tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
const build = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
  cwd: root,
  stdio: 'inherit',
});
if (build.status !== 0) process.exit(build.status ?? 1);
writeFileSync(marker, `${new Date().toISOString()}\n`);
