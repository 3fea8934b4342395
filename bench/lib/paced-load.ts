import type { AutocannonRequest } from 'autocannon';
import { Pool } from 'undici';

/** What a paced run reports: the load driver's LoadResult, without its name (no cycle). */
export interface PacedResult {
  requests: number;
  duration: number;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  average: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
}

/**
 * A fixed load: one request every 1/rate seconds, sent on time whether or not earlier ones were
 * answered (an open loop), over at most `connections` kept-alive connections. autocannon's own
 * rate gives each connection a budget per second, all renewed at the same instant: its load
 * comes in a burst at the start of each second, at full speed, then stops, which is not the
 * half load DESIGN 11 speaks of. Latency is counted from the planned send time.
 */
export async function pacedLoad(
  url: string,
  request: AutocannonRequest,
  rate: number,
  durationS: number,
  connections: number,
): Promise<PacedResult> {
  const pool = new Pool(url, { connections, pipelining: 1 });
  const latencies: number[] = [];
  const statusCodes: Record<string, number> = {};
  let errors = 0;
  let timeouts = 0;
  const started = performance.now();
  const total = Math.round(rate * durationS);
  const sent: Promise<void>[] = [];
  for (let index = 0; index < total; index++) {
    const planned = started + (index * 1000) / rate;
    const wait = planned - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const template: AutocannonRequest = { method: request.method, path: request.path };
    const built = request.setupRequest?.(template, {}) ?? template;
    sent.push(
      pool
        .request({
          method: built.method ?? 'GET',
          path: built.path ?? '/',
          headers: built.headers,
          body: built.body,
          headersTimeout: 10_000,
          bodyTimeout: 10_000,
        })
        .then(async (response) => {
          await response.body.dump();
          statusCodes[response.statusCode] = (statusCodes[response.statusCode] ?? 0) + 1;
          latencies.push(performance.now() - planned);
        })
        .catch((error: { code?: string }) => {
          if (error.code === 'UND_ERR_HEADERS_TIMEOUT') timeouts++;
          else errors++;
        }),
    );
  }
  await Promise.all(sent);
  const duration = (performance.now() - started) / 1000;
  await pool.close();
  latencies.sort((a, b) => a - b);
  const at = (p: number) =>
    latencies.length === 0
      ? NaN
      : Math.round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]);
  const answered = latencies.length;
  const non2xx = Object.entries(statusCodes)
    .filter(([code]) => !code.startsWith('2'))
    .reduce((sum, [, count]) => sum + count, 0);
  return {
    requests: answered,
    duration,
    requestsPerSecond: answered / duration,
    p50: at(0.5),
    p99: at(0.99),
    average: answered === 0 ? NaN : latencies.reduce((sum, value) => sum + value, 0) / answered,
    non2xx,
    errors,
    timeouts,
    statusCodes,
  };
}
