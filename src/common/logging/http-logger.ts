import type { IncomingMessage, ServerResponse } from 'node:http';
import pino, { DestinationStream, LevelWithSilent, LoggerOptions } from 'pino';
import { HttpLogger, pinoHttp } from 'pino-http';
import type { LogLevel } from '../../config/environment';
import { requestIdOf } from '../http/request-id.middleware';

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

/**
 * What pino blanks out before a line is written: the credential headers of the request, the
 * cookies of the response, and any secret-named field at the top of a logged object or one level
 * down (`{ data: { sessionToken } }`).
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["proxy-authorization"]',
  'req.headers["x-session-token"]',
  'req.headers.cookie',
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

interface SerializedRequest {
  method: string;
  url: string;
  headers: Record<string, unknown>;
  remoteAddress?: string;
  raw: IncomingMessage & { ip?: string };
}

export interface HttpLoggerOptions {
  level: LogLevel;
  /** Where the JSON lines go; stdout when unset. Tests pass a stream to read them. */
  destination?: DestinationStream;
}

/** The pino options shared by the request log and every other line the app writes. */
export function loggerOptions(level: LogLevel): LoggerOptions {
  return {
    level,
    messageKey: 'msg',
    timestamp: pino.stdTimeFunctions.isoTime,
    // Level names instead of numbers: readable in a terminal without pino-pretty.
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: REDACTED_PATHS, censor: REDACTED },
  };
}

/**
 * The pino-http middleware: one line per request once the response is finished (or the client
 * went away), with the request id, method, URL, status and duration in milliseconds; lines
 * written while the request runs carry its request id.
 */
export function createHttpLogger(options: HttpLoggerOptions): HttpLogger {
  return pinoHttp<IncomingMessage, ServerResponse, never>(
    {
      ...loggerOptions(options.level),
      // The id the request-id middleware settled on, so log, header and problem body agree.
      genReqId: (request) => requestIdOf(request as Parameters<typeof requestIdOf>[0]),
      customAttributeKeys: { reqId: 'requestId', responseTime: 'durationMs' },
      // Lines logged during the request carry only its id; the full request is on the last line.
      quietReqLogger: true,
      customLogLevel: (
        _request: IncomingMessage,
        response: ServerResponse,
        error?: Error,
      ): LevelWithSilent => (error || response.statusCode >= 500 ? 'error' : 'info'),
      customSuccessMessage: () => 'request completed',
      customErrorMessage: () => 'request failed',
      serializers: {
        req: (request: SerializedRequest) => ({
          method: request.method,
          url: loggableUrl(request.url),
          // Behind a trusted proxy this is the client, not the proxy.
          remoteAddress: request.raw.ip ?? request.remoteAddress,
          headers: request.headers,
        }),
        res: (response: { statusCode: number }) => ({ statusCode: response.statusCode }),
      },
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}
