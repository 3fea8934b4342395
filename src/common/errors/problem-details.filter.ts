import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import type { AllowedMethods } from '../http/allowed-methods';
import { requestIdOf } from '../http/request-id.middleware';
import { AppException, FieldError } from './app.exception';
import { ERROR_DEFINITIONS, ErrorCode } from './error-code';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
const RETRY_AFTER_SECONDS = '5';

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  instance: string;
  requestId: string;
  errors?: FieldError[];
}

/** The problem's `type` URI: one per code, stable like the code itself. */
export function problemType(code: ErrorCode): string {
  return `urn:users-organizations:problem:${code.toLowerCase().replace(/_/g, '-')}`;
}

const CODE_BY_STATUS: Partial<Record<number, ErrorCode>> = {
  400: ErrorCode.VALIDATION_FAILED,
  401: ErrorCode.TOKEN_INVALID,
  403: ErrorCode.ADMIN_REQUIRED,
  404: ErrorCode.ROUTE_NOT_FOUND,
  405: ErrorCode.METHOD_NOT_ALLOWED,
  409: ErrorCode.CONFLICT,
  412: ErrorCode.PRECONDITION_FAILED,
  413: ErrorCode.PAYLOAD_TOO_LARGE,
  415: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
  429: ErrorCode.RATE_LIMITED,
  503: ErrorCode.SERVICE_UNAVAILABLE,
};

const AUTHENTICATION_FAILURE = 'authenticationFailure';
/**
 * Set by the address guard on a request from an address over its failure limit: the refusal it
 * answers instead of an authentication failure. A request whose credentials verify is served.
 */
export const LOCKED_OUT = 'lockedOut';

/** Whether the response refused credentials: a 401, or a code counted like one. */
export function isAuthenticationFailure(response: Response): boolean {
  return response.statusCode === 401 || response.locals[AUTHENTICATION_FAILURE] === true;
}

/** Turns anything thrown into an RFC 9457 problem; never a stack, SQL text or internal name. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemDetails');

  private readonly allowedMethods: AllowedMethods;
  private readonly isUnavailable: (error: unknown) => boolean;

  /**
   * `allowedMethods` tells a path served with other methods (405) from an unknown one (404);
   * `isUnavailable` tells an outage of a backing service (503) from a bug (500): the composition
   * root passes the database's classifier, so common imports no other module.
   */
  constructor(
    options: {
      allowedMethods?: AllowedMethods;
      isUnavailable?: (error: unknown) => boolean;
    } = {},
  ) {
    this.allowedMethods = options.allowedMethods ?? (() => []);
    this.isUnavailable = options.isUnavailable ?? (() => false);
  }

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const failed = this.toAppException(exception, request);
    const failure = failed.status === 401 || ERROR_DEFINITIONS[failed.code].authenticationFailure;
    const lockedOut: unknown = response.locals[LOCKED_OUT];
    const appException = failure && lockedOut instanceof AppException ? lockedOut : failed;
    const definition = ERROR_DEFINITIONS[appException.code];
    const problem: ProblemDetails = {
      type: problemType(appException.code),
      title: definition.title,
      status: appException.status,
      detail: appException.detail,
      code: appException.code,
      instance: request.originalUrl?.split('?')[0] ?? request.url,
      requestId: requestIdOf(request),
      ...(appException.options.errors ? { errors: appException.options.errors } : {}),
    };
    if (response.headersSent) return;
    response.status(problem.status);
    if (failure) response.locals[AUTHENTICATION_FAILURE] = true;
    response.setHeader('Content-Type', `${PROBLEM_CONTENT_TYPE}; charset=utf-8`);
    response.setHeader('Cache-Control', 'no-store');
    for (const [name, value] of Object.entries(appException.options.headers ?? {})) {
      response.setHeader(name, value);
    }
    response.send(JSON.stringify(problem));
  }

  private toAppException(exception: unknown, request: Request): AppException {
    if (exception instanceof AppException) return exception;
    if (this.isUnavailable(exception)) {
      this.logger.warn(
        `Database unavailable: ${describe(exception)} (request ${requestIdOf(request)})`,
      );
      return new AppException(
        ErrorCode.DATABASE_UNAVAILABLE,
        'The database cannot be reached right now; retry shortly.',
        { headers: { 'Retry-After': RETRY_AFTER_SECONDS } },
      );
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      if (status === Number(HttpStatus.NOT_FOUND)) {
        const allowed = this.allowedMethods(request.path);
        if (allowed.length > 0 && !allowed.includes(request.method)) {
          return new AppException(
            ErrorCode.METHOD_NOT_ALLOWED,
            `${request.method} is not served on ${request.path}; use ${allowed.join(', ')}.`,
            { headers: { Allow: allowed.join(', ') } },
          );
        }
        return new AppException(
          ErrorCode.ROUTE_NOT_FOUND,
          `No route matches ${request.method} ${request.path}.`,
        );
      }
      const code = CODE_BY_STATUS[status];
      if (code !== undefined) {
        const headers: Record<string, string> =
          status === 503 ? { 'Retry-After': RETRY_AFTER_SECONDS } : {};
        return new AppException(code, ERROR_DEFINITIONS[code].title + '.', { headers });
      }
    }
    this.logger.error(
      // The id in the text: with LOG_REQUEST_CONTEXT=false, the line has no requestId field.
      `Unhandled error on ${request.method} ${request.path} (request ${requestIdOf(request)})`,
      exception instanceof Error ? exception.stack : String(exception),
    );
    return new AppException(ErrorCode.INTERNAL_ERROR, 'An unexpected error occurred.');
  }
}

function describe(error: unknown): string {
  const shape = error as { code?: unknown; message?: unknown };
  return [shape.code, shape.message].filter((part) => typeof part === 'string').join(' ');
}
