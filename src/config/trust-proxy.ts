import { isIP } from 'node:net';

export type TrustProxy = boolean | number | string[];
const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * Express's `trust proxy`: false (the socket address is the client), true (trust every proxy),
 * a number of proxy hops, or a comma-separated list of proxy addresses, subnets and the names
 * loopback, linklocal and uniquelocal. Null when the value is none of these.
 */
export function parseTrustProxy(value: string): TrustProxy | null {
  if (value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d{1,2}$/.test(value)) return Number(value);
  const entries = value.split(',').map((entry) => entry.trim());
  const valid = entries.every((entry) => {
    if (PROXY_NAMES.includes(entry)) return true;
    const [address, prefix, ...rest] = entry.split('/');
    const version = isIP(address);
    if (version === 0 || rest.length > 0) return false;
    return (
      prefix === undefined ||
      (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128))
    );
  });
  return valid ? entries : null;
}
