import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { AppConfig } from '../../config';
import { SWAGGER_UI_PATH } from '../swagger/swagger';
import { createHttpLogger } from './http-logger';

/** The request log middleware; create-app mounts it first, so every request gets its line. */
export const HTTP_LOGGER = Symbol('HTTP_LOGGER');

export interface LoggingOptions {
  /** False writes nothing at all, whatever LOG_LEVEL says (tests). */
  enabled?: boolean;
  /** Where the JSON lines go; stdout when unset. A hook for tests that read the log. */
  destination?: DestinationStream;
}

/**
 * What a person reading the development log has no use for a line about: the Swagger UI's
 * assets (the page itself is logged) and the health probes.
 */
const QUIET_IN_TEXT = new RegExp(`^/(health/|${SWAGGER_UI_PATH}/)`);

/**
 * Structured logs (nestjs-pino): Nest's own logger and the request log share one pino
 * instance, so every line has the same shape and a line written during a request carries the
 * request id. JSON lines, or in development (LOG_FORMAT=text) the same lines made readable.
 */
@Module({})
export class LoggingModule {
  static forRoot(config: AppConfig, options: LoggingOptions = {}): DynamicModule {
    const httpLogger = createHttpLogger({
      level: options.enabled === false ? 'silent' : config.logLevel,
      destination: options.destination,
      format: config.logFormat,
      quiet: config.logFormat === 'text' ? (path) => QUIET_IN_TEXT.test(path) : undefined,
    });
    return {
      module: LoggingModule,
      imports: [
        // useExisting: the request log is mounted by create-app ahead of the body parser, so
        // requests refused there are logged too. No routes: create-app binds each request's
        // logger itself (bindRequestLogger), in its one middleware instead of one more.
        LoggerModule.forRoot({
          pinoHttp: { logger: httpLogger.logger },
          useExisting: true,
          forRoutes: [],
        }),
      ],
      providers: [{ provide: HTTP_LOGGER, useValue: httpLogger }],
      exports: [HTTP_LOGGER],
    };
  }
}
