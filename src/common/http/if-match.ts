const ENTITY_TAG = /^(W\/)?"[\x21\x23-\x7E\x80-\xFF]*"$/;

/**
 * RFC 9110 If-Match with strong comparison: `*` matches any current state; weak tags never do;
 * a header that is not a list of entity tags matches nothing.
 */
export function ifMatchSatisfied(header: string | undefined, currentEtag: string): boolean {
  if (header === undefined) return true;
  const trimmed = header.trim();
  if (trimmed === '*') return true;
  const tags = trimmed
    .split(',')
    .map((tag) => tag.trim())
    .filter((tag) => tag !== '');
  if (tags.length === 0 || !tags.every((tag) => ENTITY_TAG.test(tag))) return false;
  return tags.some((tag) => !tag.startsWith('W/') && tag === currentEtag);
}
