import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

export const REQUEST_ID_HEADER = 'X-Request-Id';
/** 1 to 128 visible ASCII characters, as AuthZEN lets callers send (DESIGN 14). */
const VALID_REQUEST_ID = /^[\x21-\x7E]{1,128}$/;
const requestIds = new WeakMap<Request, string>();

/** Honours a well-formed incoming request id, else makes one; echoes it on every response. */
export function requestIdMiddleware(request: Request, response: Response, next: NextFunction) {
  const incoming = request.headers['x-request-id'];
  const id =
    typeof incoming === 'string' && VALID_REQUEST_ID.test(incoming) ? incoming : randomUUID();
  requestIds.set(request, id);
  response.setHeader(REQUEST_ID_HEADER, id);
  next();
}

export function requestIdOf(request: Request): string {
  let id = requestIds.get(request);
  if (id === undefined) {
    id = randomUUID();
    requestIds.set(request, id);
  }
  return id;
}
