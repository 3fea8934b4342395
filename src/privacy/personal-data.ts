import type { FieldChanges } from '../audit';

/** What replaces a person's own values once erased (DESIGN 15). */
export const ERASED = '[erased]';

/** The fields that hold a person's own values: in changes, and in the views an event stores. */
const PERSONAL_FIELDS: ReadonlySet<string> = new Set(['firstName', 'lastName', 'email']);
/** The views an audit row may store about the person it concerns (its `data`). */
const VIEWS = ['membership', 'invitation'] as const;

const erasedValue = (value: unknown) => (value === null || value === undefined ? value : ERASED);

/** A change's personal fields with `[erased]` for every value it held (a null stays null). */
export function eraseChanges(changes: FieldChanges): FieldChanges {
  return Object.fromEntries(
    Object.entries(changes).map(([field, change]) => [
      field,
      PERSONAL_FIELDS.has(field)
        ? { before: erasedValue(change.before), after: erasedValue(change.after) }
        : change,
    ]),
  );
}

/** A stored event view with the personal fields of its membership or invitation erased. */
export function eraseStoredView(data: Record<string, unknown>): Record<string, unknown> {
  const erased = { ...data };
  for (const kind of VIEWS) {
    const view = data[kind];
    if (typeof view !== 'object' || view === null || Array.isArray(view)) continue;
    erased[kind] = Object.fromEntries(
      Object.entries(view as Record<string, unknown>).map(([field, value]) => [
        field,
        PERSONAL_FIELDS.has(field) ? erasedValue(value) : value,
      ]),
    );
  }
  return erased;
}

/**
 * An audit row's `changes` and `data` text after erasing the person it concerns; null when the
 * row held none of that person's values (nothing to write).
 */
export function erasedAuditText(row: {
  changes: string;
  data: string | null;
}): { changes: string; data: string | null } | null {
  const changes = JSON.stringify(eraseChanges(JSON.parse(row.changes) as FieldChanges));
  const data =
    row.data === null
      ? null
      : JSON.stringify(eraseStoredView(JSON.parse(row.data) as Record<string, unknown>));
  return changes === row.changes && data === row.data ? null : { changes, data };
}

/**
 * Changes as an export shows them when they are about another person: only that person's id
 * is given (the row's), never their names or email (GDPR article 15(4)).
 */
export function withoutPersonalFields(changes: FieldChanges): FieldChanges {
  return Object.fromEntries(
    Object.entries(changes).filter(([field]) => !PERSONAL_FIELDS.has(field)),
  );
}
