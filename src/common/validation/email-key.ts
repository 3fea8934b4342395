import { domainToASCII } from 'node:url';

/** RFC 5321's limits: 64 octets of local part, 255 of domain, 320 in all as commonly stored. */
export const MAX_EMAIL_LENGTH = 320;
const MAX_LOCAL_PART_LENGTH = 64;
const DOMAIN_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
// eslint-disable-next-line no-control-regex -- control characters and spaces are what it refuses
const LOCAL_PART_FORBIDDEN = /[\s\u0000-\u001F\u007F-\u009F@<>()[\]\\,;:"]/u;

/** A character with the combining marks that follow it: what NFC composes together. */
const CLUSTER = /\P{M}\p{M}*|\p{M}+/gu;
const ASCII = /^[\p{ASCII}]*$/u;

/**
 * The local part as matched: NFC, except where NFC would turn a non-ASCII character into ASCII
 * (the Kelvin sign K becomes K, the Angstrom sign becomes Å and so on: `\u212Aate` is not
 * `kate`), then lowercased in ASCII only, since JavaScript's full case folding would also fold
 * look-alikes into ASCII letters.
 */
function localKey(local: string): string {
  const composed = (local.match(CLUSTER) ?? [])
    .map((cluster) => {
      const nfc = cluster.normalize('NFC');
      return ASCII.test(nfc) && !ASCII.test(cluster) ? cluster : nfc;
    })
    .join('');
  return composed.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}

/**
 * The key an email is matched by (DESIGN 8b): trimmed, the local part in NFC and lowercased in
 * ASCII only (localKey), the domain in ASCII (IDNA) and lowercase, compared byte for byte.
 * `Victim@Corp.example` and `victim@corp.example` share a key; `victim@cörp.example`
 * (xn--crp-tna.example) does not, nor does `\u212Aate@example.com` share kate's. Null when the
 * text is not an email address this API accepts.
 */
export function emailKey(email: string): string | null {
  if (email.length > MAX_EMAIL_LENGTH) return null;
  const trimmed = email.trim();
  const at = trimmed.lastIndexOf('@');
  if (at <= 0) return null;
  const local = localKey(trimmed.slice(0, at));
  if ([...local].length > MAX_LOCAL_PART_LENGTH || LOCAL_PART_FORBIDDEN.test(local)) return null;
  const domain = domainToASCII(
    trimmed
      .slice(at + 1)
      .normalize('NFC')
      .toLowerCase(),
  );
  const labels = domain.split('.');
  if (domain.length > 253 || labels.length < 2 || !labels.every((l) => DOMAIN_LABEL.test(l))) {
    return null;
  }
  return `${local}@${domain}`;
}
