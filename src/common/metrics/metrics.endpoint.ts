import type { IncomingMessage, ServerResponse } from 'node:http';
import { Logger } from '@nestjs/common';
import { METRICS_PATH, MetricsService } from './metrics.service';

const logger = new Logger('Metrics');

function isScrape(request: IncomingMessage): boolean {
  const url = request.url ?? '';
  return (
    (request.method === 'GET' || request.method === 'HEAD') &&
    (url === METRICS_PATH || url.startsWith(`${METRICS_PATH}?`))
  );
}

async function answer(metrics: MetricsService, response: ServerResponse): Promise<void> {
  try {
    const body = await metrics.scrape();
    response.writeHead(200, { 'content-type': metrics.contentType });
    response.end(body);
  } catch (error) {
    logger.error(`Collecting the metrics failed: ${String(error)}`);
    response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
    response.end('metrics unavailable\n');
  }
}

/**
 * Answers GET /metrics (true) or leaves the request alone (false). Called ahead of the request
 * log, the rate limits and the guards: Prometheus scrapes without tokens, is never refused, and
 * its scrapes are neither logged nor counted in the request metrics.
 */
export function answerScrape(
  metrics: MetricsService,
  request: IncomingMessage,
  response: ServerResponse,
): boolean {
  if (!isScrape(request)) return false;
  void answer(metrics, response);
  return true;
}

/** The endpoint alone, for the server METRICS_PORT opens; anything else is 404. */
export function metricsOnlyHandler(metrics: MetricsService) {
  return (request: IncomingMessage, response: ServerResponse): void => {
    if (answerScrape(metrics, request, response)) return;
    response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    response.end('not found\n');
  };
}
