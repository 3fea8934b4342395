import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Why a webhook target is refused, or null when it may be called (DESIGN 11, SSRF): only
 * ordinary public unicast addresses. Loopback, private, link-local (the cloud metadata service
 * at 169.254.169.254 among them), unique-local, carrier-grade NAT (another metadata address,
 * 100.100.100.200), multicast, reserved and the IPv6 forms that embed an IPv4 address (mapped,
 * compatible, 6to4, NAT64, Teredo) are all refused: ipaddr.js names each of these ranges, and anything it
 * does not call `unicast` is not a place a webhook goes.
 */
export function refusedAddressRange(address: string): string | null {
  if (!ipaddr.isValid(address)) return 'invalid';
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6') {
    const ipv6 = parsed as ipaddr.IPv6;
    if (ipv6.isIPv4MappedAddress()) {
      parsed = ipv6.toIPv4Address();
    } else if (ipv6.range() === 'unicast' && ipv6.parts.slice(0, 6).every((part) => part === 0)) {
      // ::a.b.c.d, IPv4-compatible (RFC 4291 deprecated it): ipaddr.js calls it unicast, and some
      // stacks still route it to the IPv4 address it holds (::127.0.0.1 is loopback there).
      return 'ipv4Compatible';
    }
  }
  const range = parsed.range();
  return range === 'unicast' ? null : range;
}

/** The URL's host as an address when it is an IP literal (`[::1]` included), else null. */
export function literalAddress(url: URL): string | null {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return isIP(host) === 0 ? null : host;
}

/**
 * What is wrong with a webhook URL before any lookup, or null: http(s) only (https only in
 * production), no credentials in it (they would be sent to whoever answers, and logged).
 */
export function urlShapeProblem(url: URL, requireHttps: boolean): string | null {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an http(s) URL';
  if (requireHttps && url.protocol !== 'https:') return 'must use https';
  if (url.username !== '' || url.password !== '') return 'must not hold credentials';
  if (url.hash !== '') return 'must not hold a fragment';
  return null;
}
