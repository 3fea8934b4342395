import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { AppConfig } from '../../config';
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
 * Structured JSON logs (nestjs-pino): Nest's own logger and the request log share one pino
 * instance, so every line has the same shape and a line written during a request carries the
 * request id.
 */
@Module({})
export class LoggingModule {
  static forRoot(config: AppConfig, options: LoggingOptions = {}): DynamicModule {
    const httpLogger = createHttpLogger({
      level: options.enabled === false ? 'silent' : config.logLevel,
      destination: options.destination,
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
