import {
  ArgumentsHost,
  BadRequestException,
  ForbiddenException,
  HttpException,
  ImATeapotException,
  Logger,
  MethodNotAllowedException,
  NotFoundException,
  PayloadTooLargeException,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { isDatabaseUnavailableError } from '../../database/database-errors';
import type { AllowedMethods } from '../http/allowed-methods';
import { requestIdMiddleware } from '../http/request-id.middleware';
import { AppException } from './app.exception';
import { ErrorCode } from './error-code';
import {
  LOCKED_OUT,
  PROBLEM_CONTENT_TYPE,
  ProblemDetails,
  ProblemDetailsFilter,
} from './problem-details.filter';

interface FakeResponse {
  statusCode?: number;
  headers: Record<string, string>;
  locals: Record<string, unknown>;
  body?: string;
  headersSent: boolean;
  status(code: number): FakeResponse;
  setHeader(name: string, value: string): FakeResponse;
  send(body: string): FakeResponse;
}

function fakeResponse(headersSent = false): FakeResponse {
  const response: FakeResponse = {
    headers: {},
    locals: {},
    headersSent,
    status(code) {
      response.statusCode = code;
      return response;
    },
    setHeader(name, value) {
      response.headers[name.toLowerCase()] = value;
      return response;
    },
    send(body) {
      response.body = body;
      return response;
    },
  };
  return response;
}

const REQUEST_ID = 'req-1234.abc';

function fakeRequest(url = '/users-organizations/v1/rs/users/me?x=1', method = 'PATCH'): Request {
  const request = {
    method,
    originalUrl: url,
    url,
    path: url.split('?')[0],
    headers: { 'x-request-id': REQUEST_ID },
  } as unknown as Request;
  const next: NextFunction = () => undefined;
  requestIdMiddleware(request, fakeResponse() as unknown as Response, next);
  return request;
}

function hostFor(request: Request, response: FakeResponse): ArgumentsHost {
  const http = { getRequest: () => request, getResponse: () => response, getNext: () => undefined };
  return { switchToHttp: () => http } as unknown as ArgumentsHost;
}

function run(
  exception: unknown,
  request: Request = fakeRequest(),
  allowedMethods?: AllowedMethods,
): { response: FakeResponse; problem: ProblemDetails & Record<string, unknown> } {
  const response = fakeResponse();
  new ProblemDetailsFilter({ allowedMethods, isUnavailable: isDatabaseUnavailableError }).catch(
    exception,
    hostFor(request, response),
  );
  if (response.body === undefined) throw new Error('the filter sent no body');
  return {
    response,
    problem: JSON.parse(response.body) as ProblemDetails & Record<string, unknown>,
  };
}

describe('ProblemDetailsFilter', () => {
  let errorLog: jest.SpyInstance;
  let warnLog: jest.SpyInstance;

  beforeEach(() => {
    errorLog = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    warnLog = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  describe('an AppException', () => {
    it('becomes a problem with its status, code and detail', () => {
      const { response, problem } = run(
        new AppException(ErrorCode.LAST_ADMIN, 'This member is the last active administrator.'),
      );
      expect(response.statusCode).toBe(409);
      expect(problem.type).toBe('urn:users-organizations:problem:last-admin');
      expect(problem.title).toBe('The organization would have no administrator left');
      expect(problem.status).toBe(409);
      expect(problem.detail).toBe('This member is the last active administrator.');
      expect(problem.code).toBe('LAST_ADMIN');
      expect(problem.instance).toBe('/users-organizations/v1/rs/users/me');
      expect(problem.requestId).toBe(REQUEST_ID);
      expect(problem).not.toHaveProperty('errors');
    });

    it('sends application/problem+json, no-store', () => {
      const { response } = run(new AppException(ErrorCode.SCOPE_CHANGE_FORBIDDEN, 'No.'));
      expect(response.headers['content-type']).toBe(`${PROBLEM_CONTENT_TYPE}; charset=utf-8`);
      expect(response.headers['cache-control']).toBe('no-store');
    });

    it('keeps only the RFC 9457 fields, the code and the request id', () => {
      const { problem } = run(new AppException(ErrorCode.PRECONDITION_FAILED, 'Changed.'));
      expect(Object.keys(problem).sort()).toEqual(
        ['code', 'detail', 'instance', 'requestId', 'status', 'title', 'type'].sort(),
      );
      expect(problem.status).toBe(412);
    });

    it('carries the field errors of a validation failure', () => {
      const errors = [{ field: 'permissions.read[1]', message: 'is a duplicate id' }];
      const { response, problem } = run(
        new AppException(ErrorCode.VALIDATION_FAILED, 'The request is not valid.', { errors }),
      );
      expect(response.statusCode).toBe(400);
      expect(problem.code).toBe('VALIDATION_FAILED');
      expect(problem.type).toBe('urn:users-organizations:problem:validation-failed');
      expect(problem.errors).toEqual(errors);
    });

    it('sets the headers it carries', () => {
      const { response } = run(
        new AppException(ErrorCode.TOKEN_INVALID, 'Bad token.', {
          headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
        }),
      );
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    });

    it.each([
      [ErrorCode.PROFESSION_NOT_FOUND, 422, 'profession-not-found'],
      [ErrorCode.MEMBERSHIP_NOT_FOUND, 404, 'membership-not-found'],
      [ErrorCode.RATE_LIMITED, 429, 'rate-limited'],
      [ErrorCode.UNSUPPORTED_MEDIA_TYPE, 415, 'unsupported-media-type'],
    ])('maps %s to %d and a kebab-case type', (code, status, slug) => {
      const { response, problem } = run(new AppException(code, 'x'));
      expect(response.statusCode).toBe(status);
      expect(problem.status).toBe(status);
      expect(problem.type).toBe(`urn:users-organizations:problem:${slug}`);
    });

    it('uses the path without its query string as the instance', () => {
      const { problem } = run(
        new AppException(ErrorCode.READ_FORBIDDEN, 'No.'),
        fakeRequest('/users-organizations/v1/rs/users/3?secret=token', 'GET'),
      );
      expect(problem.instance).toBe('/users-organizations/v1/rs/users/3');
    });

    it('generates a request id when none was assigned', () => {
      const request = {
        method: 'GET',
        originalUrl: '/x',
        url: '/x',
        path: '/x',
        headers: {},
      } as unknown as Request;
      const { problem } = run(new AppException(ErrorCode.READ_FORBIDDEN, 'No.'), request);
      expect(problem.requestId).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('writes nothing when the headers were already sent', () => {
      const response = fakeResponse(true);
      new ProblemDetailsFilter().catch(
        new AppException(ErrorCode.CONFLICT, 'x'),
        hostFor(fakeRequest(), response),
      );
      expect(response.statusCode).toBeUndefined();
      expect(response.body).toBeUndefined();
    });
  });

  describe('a database outage', () => {
    it('maps a mysql2-like ECONNREFUSED to 503 DATABASE_UNAVAILABLE with Retry-After', () => {
      const outage = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3306'), {
        code: 'ECONNREFUSED',
        errno: -111,
        syscall: 'connect',
      });
      const { response, problem } = run(outage);
      expect(response.statusCode).toBe(503);
      expect(response.headers['retry-after']).toMatch(/^\d+$/);
      expect(problem.code).toBe('DATABASE_UNAVAILABLE');
      expect(problem.status).toBe(503);
      expect(problem.type).toBe('urn:users-organizations:problem:database-unavailable');
      expect(response.body).not.toContain('127.0.0.1');
      expect(response.body).not.toContain('ECONNREFUSED');
      expect(warnLog).toHaveBeenCalled();
    });

    it('maps a plain object {code: "ECONNREFUSED"} the same way', () => {
      const { response, problem } = run({ code: 'ECONNREFUSED' });
      expect(response.statusCode).toBe(503);
      expect(response.headers['retry-after']).toBeDefined();
      expect(problem.code).toBe('DATABASE_UNAVAILABLE');
    });

    it('maps a TypeORM error wrapping a driver outage', () => {
      const { problem } = run({
        name: 'QueryFailedError',
        message: 'SELECT secret FROM memberships',
        driverError: { code: 'PROTOCOL_CONNECTION_LOST' },
      });
      expect(problem.code).toBe('DATABASE_UNAVAILABLE');
      expect(problem.detail).not.toContain('SELECT');
    });
  });

  describe('Nest HTTP exceptions', () => {
    it('maps NotFoundException to 404 ROUTE_NOT_FOUND naming the method and path', () => {
      const { response, problem } = run(
        new NotFoundException('Cannot GET /nowhere'),
        fakeRequest('/nowhere?q=1', 'GET'),
      );
      expect(response.statusCode).toBe(404);
      expect(problem.code).toBe('ROUTE_NOT_FOUND');
      expect(problem.status).toBe(404);
      expect(problem.detail).toBe('No route matches GET /nowhere.');
      expect(problem.instance).toBe('/nowhere');
    });

    it('answers 405 with Allow when the path is served with other methods', () => {
      const allowed = (path: string) => (path === '/things/1' ? ['GET', 'HEAD', 'PATCH'] : []);
      const { response, problem } = run(
        new NotFoundException('Cannot PUT /things/1'),
        fakeRequest('/things/1?x=1', 'PUT'),
        allowed,
      );
      expect(response.statusCode).toBe(405);
      expect(response.headers.allow).toBe('GET, HEAD, PATCH');
      expect(problem.code).toBe('METHOD_NOT_ALLOWED');
      expect(problem.detail).toBe('PUT is not served on /things/1; use GET, HEAD, PATCH.');
    });

    it('keeps 404 when the method is served there (a handler found nothing)', () => {
      const { response, problem } = run(
        new NotFoundException(),
        fakeRequest('/things/1', 'GET'),
        () => ['GET', 'HEAD'],
      );
      expect(response.statusCode).toBe(404);
      expect(response.headers.allow).toBeUndefined();
      expect(problem.code).toBe('ROUTE_NOT_FOUND');
    });

    it.each([
      [new BadRequestException('raw parser text'), 400, ErrorCode.VALIDATION_FAILED],
      [new UnauthorizedException(), 401, ErrorCode.TOKEN_INVALID],
      [new ForbiddenException(), 403, ErrorCode.ADMIN_REQUIRED],
      [new MethodNotAllowedException(), 405, ErrorCode.METHOD_NOT_ALLOWED],
      [new PayloadTooLargeException(), 413, ErrorCode.PAYLOAD_TOO_LARGE],
    ])('maps %p to %d %s', (exception, status, code) => {
      const { response, problem } = run(exception);
      expect(response.statusCode).toBe(status);
      expect(problem.code).toBe(code);
      expect(response.body).not.toContain('raw parser text');
    });

    it('maps a ServiceUnavailableException to 503 with Retry-After', () => {
      const { response, problem } = run(new ServiceUnavailableException());
      expect(response.statusCode).toBe(503);
      expect(problem.code).toBe('SERVICE_UNAVAILABLE');
      expect(response.headers['retry-after']).toBeDefined();
    });

    it('maps an unmapped HTTP status to 500 INTERNAL_ERROR', () => {
      const { response, problem } = run(new ImATeapotException());
      expect(response.statusCode).toBe(500);
      expect(problem.code).toBe('INTERNAL_ERROR');
    });

    it('maps a custom HttpException with a mapped status by its status', () => {
      const { problem } = run(new HttpException('internal words', 409));
      expect(problem.code).toBe('CONFLICT');
      expect(problem.detail).not.toContain('internal words');
    });
  });

  describe('an unexpected error', () => {
    it('becomes 500 INTERNAL_ERROR without stack or message', () => {
      const bug = new TypeError("Cannot read properties of undefined (reading 'scope')");
      const { response, problem } = run(bug);
      expect(response.statusCode).toBe(500);
      expect(problem.status).toBe(500);
      expect(problem.code).toBe('INTERNAL_ERROR');
      expect(problem.title).toBe('Internal error');
      expect(problem.type).toBe('urn:users-organizations:problem:internal-error');
      expect(problem.requestId).toBe(REQUEST_ID);
      expect(problem).not.toHaveProperty('stack');
      expect(problem).not.toHaveProperty('errors');
      expect(response.body).not.toContain(bug.message);
      expect(response.body).not.toContain('reading');
      expect(response.body).not.toContain('TypeError');
      expect(response.body).not.toMatch(/\bat \S+ \(|:\d+:\d+/);
    });

    it('logs the stack on the server side', () => {
      const bug = new Error('boom');
      run(bug);
      expect(errorLog).toHaveBeenCalledWith(expect.any(String), bug.stack);
    });

    it('does not leak SQL text from a query error', () => {
      const queryError = Object.assign(
        new Error("ER_NO_SUCH_TABLE: Table 'app.memberships' doesn't exist"),
        { code: 'ER_NO_SUCH_TABLE', sql: 'SELECT * FROM `memberships`' },
      );
      const { response, problem } = run(queryError);
      expect(problem.code).toBe('INTERNAL_ERROR');
      expect(response.body).not.toContain('memberships`');
      expect(response.body).not.toContain('ER_NO_SUCH_TABLE');
      expect(response.body).not.toContain('SELECT');
    });

    it.each([
      ['a string', 'oops'],
      ['null', null],
      ['undefined', undefined],
      ['a number', 7],
    ])('maps a thrown %s to 500 INTERNAL_ERROR', (_name, thrown) => {
      const { response, problem } = run(thrown);
      expect(response.statusCode).toBe(500);
      expect(problem.code).toBe('INTERNAL_ERROR');
    });
  });
});

describe('ProblemDetailsFilter on an address over its failure limit', () => {
  it('answers 429 instead of an authentication failure, and serves any other answer', () => {
    const lockedOut = new AppException(ErrorCode.RATE_LIMITED, 'Too many failed authentications.');
    const failing = fakeResponse();
    failing.locals[LOCKED_OUT] = lockedOut;
    new ProblemDetailsFilter().catch(
      new AppException(ErrorCode.TOKEN_INVALID, 'bad token'),
      hostFor(fakeRequest(), failing),
    );
    expect(failing.statusCode).toBe(429);
    const refused = fakeResponse();
    refused.locals[LOCKED_OUT] = lockedOut;
    new ProblemDetailsFilter().catch(
      new AppException(ErrorCode.ADMIN_REQUIRED, 'not an administrator'),
      hostFor(fakeRequest(), refused),
    );
    expect(refused.statusCode).toBe(403);
  });
});
