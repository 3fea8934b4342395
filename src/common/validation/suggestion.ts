/**
 * Edit distance with adjacent transpositions counted as one edit (optimal string alignment), so
 * that `fristName` is one edit from `firstName`.
 */
export function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      rows[i][j] = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        rows[i][j] = Math.min(rows[i][j], rows[i - 2][j - 2] + 1);
      }
    }
  }
  return rows[a.length][b.length];
}

/** Case, `_` and `-` aside: `first_name` and `FirstName` both mean `firstName`. */
const normalized = (name: string) => name.toLowerCase().replace(/[_-]/g, '');

/** Longer than any property name: a longer key is no typo, and is not worth the work. */
const MAX_COMPARED_LENGTH = 64;

/**
 * The known name an unknown one was most likely meant to be, or null when none is close: the
 * same name spelt with other case or separators, or at most two edits away (one for names of
 * four characters or less, so that `id` does not suggest `q`).
 */
export function closestName(unknown: string, known: readonly string[]): string | null {
  if (unknown.length > MAX_COMPARED_LENGTH) return null;
  let best: { name: string; distance: number } | null = null;
  for (const name of known) {
    const distance = editDistance(normalized(unknown), normalized(name));
    const allowed = Math.min(name.length, unknown.length) <= 4 ? 1 : 2;
    if (distance <= allowed && (best === null || distance < best.distance)) {
      best = { name, distance };
    }
  }
  return best?.name ?? null;
}
