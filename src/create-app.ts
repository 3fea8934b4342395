import type { DynamicModule, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { AppModule } from './app.module';
import type { AppConfig } from './config';
import { ProblemDetailsFilter } from './common/errors/problem-details.filter';
import { isDatabaseUnavailableError } from './database';
import { HTTP_LOGGER } from './common/logging/logging.module';
import type { HttpLogger } from './common/logging/http-logger';
import { middlewareChain } from './common/http/middleware-chain';
import { PlainTextLogger, START_UP_CHATTER } from './common/logging/plain-text-logger';
import { setupSwagger, SWAGGER_UI_PATH } from './common/swagger/swagger';
import { SwaggerUiAuthorization } from './common/swagger/swagger-ui-authorization';
import { StrictValidationPipe } from './common/validation/validation.pipe';
import { allowedMethodsOf } from './common/http/allowed-methods';
import { jsonBodyMiddleware } from './common/http/json-body.middleware';
import { requestIdMiddleware } from './common/http/request-id.middleware';
import { securityHeadersMiddleware } from './common/http/security-headers.middleware';
import { httpMetricsMiddleware } from './common/metrics/http-metrics';
import { MetricsService } from './common/metrics/metrics.service';
import { RouteTemplates } from './common/metrics/route-templates';
import { answerClientErrorsGracefully } from './common/http/client-errors';
import { trustProxySetting } from './common/http/client-address';

export interface CreateAppOptions {
  /**
   * Unset: structured JSON logs (pino) at LOG_LEVEL. False: nothing is logged at all. A logger:
   * Nest's own lines go there; the request log stays pino's.
   */
  logger?: LoggerService | false;
  /** Where the JSON log lines go instead of stdout: a hook for tests that read the log. */
  logDestination?: DestinationStream;
  /** Extra modules mounted beside the app's own, as another team's module would be. */
  extraModules?: DynamicModule['imports'];
}

/** The app exactly as it serves: used by main.ts, the CLI scripts' tests and the e2e tests. */
export async function createApp(
  config: AppConfig,
  options: CreateAppOptions = {},
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forRoot(config, options.extraModules, {
      enabled: options.logger !== false,
      destination: options.logDestination,
    }),
    {
      bodyParser: false,
      logger: options.logger,
      // Held until the pino logger takes over below, so start-up lines are JSON too.
      bufferLogs: options.logger === undefined,
      abortOnError: false,
    },
  );
  if (options.logger === undefined) {
    app.useLogger(
      new PlainTextLogger(
        app.get(Logger),
        config.logFormat === 'text' ? START_UP_CHATTER : undefined,
      ),
    );
    // Nest would hold every line until listen(); tests never call it, and nothing should wait.
    app.flushLogs();
  }
  answerClientErrorsGracefully(app.getHttpServer());
  app.disable('x-powered-by');
  // Only memberships carry an ETag, and it is ours: no automatic weak tags on other bodies.
  app.set('etag', false);
  // Which X-Forwarded-For entries name the client (rate limits key on it); none by default.
  app.set('trust proxy', trustProxySetting(config.trustProxy));
  // One middleware for all that runs before the routes, in this order: the request id first;
  // then the request metrics, which also answer /metrics (so scrapes are neither logged nor
  // counted); then the request log, so that even a request refused by the body parser gets its
  // line with its id; then the security headers, the body, and (LOG_REQUEST_CONTEXT) the
  // request's logger.
  const metrics = app.get(MetricsService);
  const httpLogger = app.get<HttpLogger>(HTTP_LOGGER);
  const express = app.getHttpAdapter().getInstance();
  app.use(
    middlewareChain([
      requestIdMiddleware,
      ...(metrics.enabled
        ? // Express 5's own router, where Nest registers every route at init.
          [
            httpMetricsMiddleware(
              metrics,
              new RouteTemplates(() => express.router.stack, [`/${SWAGGER_UI_PATH}`]),
            ),
          ]
        : []),
      httpLogger,
      securityHeadersMiddleware(SWAGGER_UI_PATH),
      jsonBodyMiddleware,
      ...(config.logRequestContext ? [httpLogger.bindRequestLogger] : []),
    ]),
  );
  app.useGlobalFilters(
    new ProblemDetailsFilter({
      allowedMethods: allowedMethodsOf(app),
      isUnavailable: isDatabaseUnavailableError,
    }),
  );
  app.useGlobalPipes(new StrictValidationPipe());
  // Exit with 0 once the hooks ran, instead of re-raising the signal: a clean stop is a success.
  app.enableShutdownHooks(undefined, { useProcessExit: true });
  setupSwagger(app, app.get(SwaggerUiAuthorization));
  return app;
}
