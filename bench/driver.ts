/**
 * The load generator, forked by run.ts so that autocannon never shares a process (or a CPU
 * sample) with the server it measures. It receives one `run` message per measurement and answers
 * with a summary.
 */
import autocannon from 'autocannon';
import { Caller, Layout, Scenario } from './lib/layout';
import { pacedLoad } from './lib/paced-load';
import { clearInFlight, requestFor, resetScopeState } from './lib/scenarios';

export interface RunMessage {
  type: 'run';
  url: string;
  scenario: Scenario;
  connections: number;
  duration: number;
  layout: Layout;
  callers: Caller[];
  /** Forget the scope scenario's knowledge of who was promoted (measure.ts reset the table). */
  resetState: boolean;
  /** Requests per second, evenly spaced (lib/paced-load.ts); unset: as fast as answered. */
  rate?: number;
}

export interface LoadResult {
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

function run(message: RunMessage): Promise<LoadResult> {
  if (message.resetState) resetScopeState();
  if (message.rate !== undefined) {
    const request = requestFor(message.scenario, message.layout, message.callers);
    return pacedLoad(message.url, request, message.rate, message.duration, message.connections);
  }
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: message.url,
        connections: message.connections,
        duration: message.duration,
        pipelining: 1,
        timeout: 10,
        requests: [requestFor(message.scenario, message.layout, message.callers)],
      },
      (error, result) => {
        clearInFlight();
        if (error) return reject(error);
        const statusCodes: Record<string, number> = {};
        for (const [code, { count }] of Object.entries(result.statusCodeStats)) {
          statusCodes[code] = count;
        }
        const requests = result.requests.total;
        resolve({
          requests,
          duration: result.duration,
          requestsPerSecond: requests / result.duration,
          p50: result.latency.p50,
          p99: result.latency.p99,
          average: result.latency.average,
          non2xx: result.non2xx,
          errors: result.errors,
          timeouts: result.timeouts,
          statusCodes,
        });
      },
    );
  });
}

process.on('message', (message: RunMessage) => {
  if (message.type !== 'run') return;
  run(message).then(
    (result) => process.send?.({ type: 'result', result }),
    (error: Error) => process.send?.({ type: 'error', message: error.message }),
  );
});
// Never outlive the orchestrator.
process.on('disconnect', () => process.exit(0));
