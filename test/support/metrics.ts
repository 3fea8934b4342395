import type TestAgent from 'supertest/lib/agent';

/** One scrape of /metrics: every sample by `name{label="value",...}` (labels sorted). */
export type Samples = Map<string, number>;

export function sampleKey(name: string, labels: Record<string, string> = {}): string {
  const entries = Object.entries(labels).sort(([a], [b]) => a.localeCompare(b));
  return entries.length === 0
    ? name
    : `${name}{${entries.map(([key, value]) => `${key}="${value}"`).join(',')}}`;
}

/** Parses the Prometheus text format (as prom-client writes it: no escapes in our labels). */
export function parseMetrics(text: string): Samples {
  const samples: Samples = new Map();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').split(/,(?=\w+=")/).filter(Boolean)) {
      const at = pair.indexOf('=');
      labels[pair.slice(0, at)] = JSON.parse(pair.slice(at + 1)) as string;
    }
    samples.set(sampleKey(match[1], labels), Number(match[3]));
  }
  return samples;
}

export async function scrape(http: () => TestAgent): Promise<Samples> {
  const response = await http().get('/metrics').expect(200);
  expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseMetrics(response.text);
}

/** How much each sample whose key starts with `prefix` moved between two scrapes (0s left out). */
export function movedBy(before: Samples, after: Samples, prefix: string): Record<string, number> {
  const moved: Record<string, number> = {};
  for (const [key, value] of after) {
    if (!key.startsWith(prefix)) continue;
    const delta = value - (before.get(key) ?? 0);
    if (delta !== 0) moved[key] = delta;
  }
  return moved;
}
