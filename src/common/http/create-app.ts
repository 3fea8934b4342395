import type { DynamicModule, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from '../../app.module';
import type { AppConfig } from '../../config/app-config';
import { ProblemDetailsFilter } from '../errors/problem-details.filter';
import { setupSwagger } from '../swagger/swagger';
import { StrictValidationPipe } from '../validation/validation.pipe';
import { jsonBodyMiddleware } from './json-body.middleware';
import { requestIdMiddleware } from './request-id.middleware';

export interface CreateAppOptions {
  logger?: LoggerService | false;
  /** Extra modules mounted beside the app's own, as another team's module would be. */
  extraModules?: DynamicModule['imports'];
}

/** The app exactly as it serves: used by main.ts, the CLI scripts' tests and the e2e tests. */
export async function createApp(
  config: AppConfig,
  options: CreateAppOptions = {},
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forRoot(config, options.extraModules),
    { bodyParser: false, logger: options.logger, abortOnError: false },
  );
  app.disable('x-powered-by');
  // Only memberships carry an ETag, and it is ours: no automatic weak tags on other bodies.
  app.set('etag', false);
  app.set('trust proxy', false);
  app.use(requestIdMiddleware);
  app.use(jsonBodyMiddleware);
  app.useGlobalFilters(new ProblemDetailsFilter());
  app.useGlobalPipes(new StrictValidationPipe());
  // Exit with 0 once the hooks ran, instead of re-raising the signal: a clean stop is a success.
  app.enableShutdownHooks(undefined, { useProcessExit: true });
  setupSwagger(app);
  return app;
}
