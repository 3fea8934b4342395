import { domainToASCII } from 'node:url';

/** RFC 5321's limits: 64 octets of local part, 255 of domain, 320 in all as commonly stored. */
export const MAX_EMAIL_LENGTH = 320;
const MAX_LOCAL_PART_LENGTH = 64;
const DOMAIN_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
// eslint-disable-next-line no-control-regex -- control characters and spaces are what it refuses
const LOCAL_PART_FORBIDDEN = /[\s\u0000-\u001F\u007F-\u009F@<>()[\]\\,;:"]/u;

/**
 * The key an email is matched by (DESIGN 8b): Unicode NFC, trimmed, lowercased, the domain in
 * ASCII (IDNA), compared byte for byte. `Victim@Corp.example` and `victim@corp.example` share a
 * key; `victim@cörp.example` (xn--crp-tna.example) does not. Null when the text is not an email
 * address this API accepts.
 */
export function emailKey(email: string): string | null {
  if (email.length > MAX_EMAIL_LENGTH) return null;
  const normalized = email.normalize('NFC').trim().toLowerCase();
  const at = normalized.lastIndexOf('@');
  if (at <= 0) return null;
  const local = normalized.slice(0, at);
  if ([...local].length > MAX_LOCAL_PART_LENGTH || LOCAL_PART_FORBIDDEN.test(local)) return null;
  const domain = domainToASCII(normalized.slice(at + 1));
  const labels = domain.split('.');
  if (domain.length > 253 || labels.length < 2 || !labels.every((l) => DOMAIN_LABEL.test(l))) {
    return null;
  }
  return `${local}@${domain}`;
}
