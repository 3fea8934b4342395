import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

export const REQUEST_ID_HEADER = 'X-Request-Id';
const VALID_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/**
 * On the svc plane, any 1 to 128 visible ASCII characters come back unchanged, as AuthZEN asks
 * (DESIGN 14): its callers are the platform's services and gateways, which choose their own ids.
 */
const SERVICE_REQUEST_ID = /^[\x21-\x7E]{1,128}$/;
const SERVICE_PLANE = '/users-organizations/v1/svc/';
const requestIds = new WeakMap<Request, string>();

/** Honours a well-formed incoming request id, else makes one; echoes it on every response. */
export function requestIdMiddleware(request: Request, response: Response, next: NextFunction) {
  const incoming = request.headers['x-request-id'];
  const valid = request.url.startsWith(SERVICE_PLANE) ? SERVICE_REQUEST_ID : VALID_REQUEST_ID;
  const id = typeof incoming === 'string' && valid.test(incoming) ? incoming : randomUUID();
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
