import type { NextFunction, Request, Response } from 'express';
import type { IncomingHttpHeaders } from 'node:http';
import { storage, type Store } from 'nestjs-pino/storage';
import pino, { DestinationStream, Logger, LoggerOptions } from 'pino';
import type { LogLevel } from '../../config';
import { clientAddress } from '../http/client-address';
import { requestIdOf } from '../http/request-id.middleware';
import { textDestination } from './text-log';

export const REDACTED = '[Redacted]';

/** Field names whose values are credentials wherever they appear in a logged object. */
const SECRET_FIELDS = [
  'token',
  'accessToken',
  'bearerToken',
  'sessionToken',
  'refreshToken',
  'idToken',
  'secret',
  'password',
  'authorization',
];

/** Request headers that carry credentials (Node lowercases header names). */
const CREDENTIAL_HEADERS = ['authorization', 'proxy-authorization', 'x-session-token', 'cookie'];

/**
 * What pino blanks out before a line is written: the credential headers of a logged request, the
 * cookies of a logged response, and any secret-named field at the top of a logged object or one
 * level down (`{ data: { sessionToken } }`).
 */
export const REDACTED_PATHS = [
  ...CREDENTIAL_HEADERS.map((name) => `req.headers["${name}"]`),
  'res.headers["set-cookie"]',
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((field) => `*.${field}`),
];

/** Query parameters whose values are never logged (a client may misplace a token there). */
const SECRET_QUERY_PARAMETER = /token|secret|password|passwd|auth|jwt|key|session|code/i;

/** The URL as logged: the path, and the query with secret-looking values blanked. */
export function loggableUrl(url: string): string {
  const question = url.indexOf('?');
  if (question < 0) return url;
  const query = new URLSearchParams(url.slice(question + 1));
  for (const name of new Set(query.keys())) {
    if (SECRET_QUERY_PARAMETER.test(name)) query.set(name, REDACTED);
  }
  const rest = query.toString();
  return rest === '' ? url.slice(0, question) : `${url.slice(0, question)}?${rest}`;
}

/**
 * Request headers whose values are logged; every other header is logged by name with its value
 * blanked. An allow-list, because credentials travel in headers nobody lists in advance
 * (`x-forwarded-authorization`, `x-api-key`, a proxy's own).
 */
const LOGGED_HEADERS = new Set([
  'accept',
  'accept-encoding',
  'accept-language',
  'cache-control',
  'connection',
  'content-length',
  'content-type',
  'host',
  'if-match',
  'if-none-match',
  'origin',
  'traceparent',
  'user-agent',
  'via',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
  'x-request-id',
]);

/** The request's headers as logged: the allow-listed values, every other value blanked. */
export function loggableHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const logged: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    logged[name] = LOGGED_HEADERS.has(name) ? value : REDACTED;
  }
  return logged;
}

export interface HttpLoggerOptions {
  level: LogLevel;
  /** Where the lines go; stdout when unset. Tests pass a stream to read them. */
  destination?: DestinationStream;
  /** `text`: lines a person reads (pino-pretty); JSON lines otherwise. */
  format?: 'json' | 'text';
  /** Request paths that get no completion line (static assets, health probes). */
  quiet?: (path: string) => boolean;
}

/** Level names, ISO times and `msg`: the shape of every line the app writes. */
function lineOptions(level: LogLevel): LoggerOptions {
  return {
    level,
    messageKey: 'msg',
    timestamp: pino.stdTimeFunctions.isoTime,
    // Level names instead of numbers: readable in a terminal without pino-pretty.
    formatters: { level: (label) => ({ level: label }) },
  };
}

/** The pino options of every line but the request log's own: secrets redacted. */
export function loggerOptions(level: LogLevel): LoggerOptions {
  return { ...lineOptions(level), redact: { paths: REDACTED_PATHS, censor: REDACTED } };
}

/** The request log middleware, and the root logger every other line goes through. */
export interface HttpLogger {
  (request: Request, response: Response, next: NextFunction): void;
  readonly logger: Logger;
  /**
   * Makes the request's child logger (its lines carry the request id) the one nestjs-pino's
   * PinoLogger, and so Nest's Logger, writes to while the request runs. Mounted last before the
   * routes when LOG_REQUEST_CONTEXT is on, after the body is read: stream events would not carry
   * the context.
   */
  readonly bindRequestLogger: (request: Request, response: Response, next: NextFunction) => void;
}

/**
 * nestjs-pino's per-request store, with the child logger made on first use: most requests
 * write no line but the completion line, and a child of a redacting logger costs a copy of
 * its bindings and serializers.
 */
class RequestLogStore implements Store {
  private child: Logger | undefined;

  constructor(
    private readonly root: Logger,
    private readonly requestId: string,
  ) {}

  get logger(): Logger {
    this.child ??= this.root.child({ requestId: this.requestId });
    return this.child;
  }

  // PinoLogger.assign() replaces the store's logger with a child of it.
  set logger(logger: Logger) {
    this.child = logger;
  }
}

/**
 * One line per request once the response is finished (or the client went away first), with the
 * request id, method, URL, client address, headers (credentials redacted), status and duration
 * in milliseconds. Written here rather than with pino-http (still installed: nestjs-pino
 * requires it), whose serializer pass and per-request listeners showed in the PATCH's CPU
 * profile for features this log does not use.
 */
export function createHttpLogger(options: HttpLoggerOptions): HttpLogger {
  // Synchronous: pino's asynchronous destination (sonic-boom over the thread pool) cost the
  // PATCH more than a write() per line, with or without a 4 KB buffer (bench, Node 24: 0.94 ms
  // of CPU per PATCH synchronous, 1.09 buffered, 1.20 asynchronous).
  const destination =
    options.format === 'text'
      ? textDestination(options.destination)
      : (options.destination ?? pino.destination({ dest: 1, sync: true }));
  const quiet = options.quiet ?? (() => false);
  const logger = pino(loggerOptions(options.level), destination);
  // The completion line blanks its credentials itself (loggableHeaders): pino's redaction copies
  // every object on its paths, and was a tenth of the PATCH's allocations.
  const accessLogger = pino(lineOptions(options.level), destination);
  const middleware = (request: Request, response: Response, next: NextFunction) => {
    if (quiet(request.path)) return next();
    const started = Date.now();
    const requestId = requestIdOf(request);
    const done = (error?: Error) => {
      response.removeListener('finish', onFinish);
      response.removeListener('close', onClose);
      const failed = error !== undefined || response.statusCode >= 500;
      const level = failed ? 'error' : 'info';
      if (!accessLogger.isLevelEnabled(level)) return;
      accessLogger[level](
        {
          requestId,
          req: {
            method: request.method,
            url: loggableUrl(request.originalUrl),
            // Behind a trusted proxy this is the client, not the proxy.
            remoteAddress: clientAddress(request),
            headers: loggableHeaders(request.headers),
          },
          res: { statusCode: response.statusCode },
          durationMs: Date.now() - started,
          ...(error === undefined ? {} : { err: error }),
        },
        failed ? 'request failed' : 'request completed',
      );
    };
    const onFinish = () => done();
    const onClose = () => done(new Error('request aborted before the response was sent'));
    response.once('finish', onFinish);
    response.once('close', onClose);
    next();
  };
  const bindRequestLogger = (request: Request, _response: Response, next: NextFunction) => {
    storage.run(new RequestLogStore(logger, requestIdOf(request)), next);
  };
  return Object.assign(middleware, { logger, bindRequestLogger });
}
