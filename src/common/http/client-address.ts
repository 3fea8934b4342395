import type { Request } from 'express';
import { compile } from 'proxy-addr';
import type { TrustProxy } from '../../config';

const addresses = new WeakMap<Request, string>();

/** Addresses whose trust is remembered; past this the memo starts over, so forged chains cannot grow it. */
const TRUST_MEMO_LIMIT = 10_000;

/**
 * Express's `trust proxy` value. A list of proxies is compiled as Express would (proxy-addr),
 * with each address's answer remembered: proxy-addr parses every address of the chain at every
 * read, which was most of the 20 µs a PATCH spent finding its client. Booleans and hop counts
 * parse nothing and go to Express as they are.
 */
export function trustProxySetting(
  trust: TrustProxy,
): boolean | number | ((address: string) => boolean) {
  if (!Array.isArray(trust)) return trust;
  const trusted = compile(trust);
  const memo = new Map<string, boolean>();
  return (address: string) => {
    let answer = memo.get(address);
    if (answer === undefined) {
      if (memo.size >= TRUST_MEMO_LIMIT) memo.clear();
      // A list's answer depends on the address alone, never on its place in the chain.
      answer = trusted(address, 0);
      memo.set(address, answer);
    }
    return answer;
  };
}

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
