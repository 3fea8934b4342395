import type { Request } from 'express';

const addresses = new WeakMap<Request, string>();

/**
 * The client's address: behind a trusted proxy, the client's rather than the proxy's. Worked out
 * once per request, because Express re-parses X-Forwarded-For at every read of `request.ip`, and
 * the request log and each rate limit all read it.
 */
export function clientAddress(request: Request): string {
  let address = addresses.get(request);
  if (address === undefined) {
    address = request.ip ?? request.socket.remoteAddress ?? 'unknown';
    addresses.set(request, address);
  }
  return address;
}
