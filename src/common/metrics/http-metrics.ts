import { performance } from 'node:perf_hooks';
import type { NextFunction, Request, Response } from 'express';
import { answerScrape } from './metrics.endpoint';
import type { MetricsService } from './metrics.service';
import type { RouteTemplates } from './route-templates';

type Label = 'method' | 'route' | 'status_code';

/**
 * Counts and times every answered request by method, route template and status, and answers
 * GET /metrics itself when it is served on the app's port (one middleware: each one Express
 * runs costs every request). Mounted right after the request id, before everything else that
 * can answer (body parser, guards, routes), so refusals are counted too.
 */
export function httpMetricsMiddleware(metrics: MetricsService, routes: RouteTemplates) {
  const durations = metrics.seriesHistogram<Label>({
    name: 'http_request_duration_seconds',
    help: 'Time from the request reaching the app to its response being handed to the OS',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  });
  metrics.seriesCounter(
    'http_requests_total',
    'HTTP requests answered, by method, route template and status code',
    durations,
  );
  const servesScrapes = metrics.appPortEndpoint;
  return (request: Request, response: Response, next: NextFunction): void => {
    if (servesScrapes && answerScrape(metrics, request, response)) return;
    const started = performance.now();
    response.once('finish', () => {
      const { method } = request;
      const { statusCode } = response;
      const route = routes.of(request, statusCode);
      durations
        .seriesFor(`${method}\n${route}\n${statusCode}`, () => ({
          method,
          route,
          status_code: String(statusCode),
        }))
        .observe((performance.now() - started) / 1000);
    });
    next();
  };
}
