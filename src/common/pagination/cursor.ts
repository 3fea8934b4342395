import { AppException } from '../errors/app.exception';
import { ErrorCode } from '../errors/error-code';

/**
 * Opaque keyset cursors: the last row id of a page, versioned and base64url-encoded so that
 * clients do not build them (and the format can change without breaking them).
 */
export function encodeCursor(lastId: number): string {
  return Buffer.from(`v1:${lastId}`).toString('base64url');
}

export function decodeCursor(cursor: string): number {
  const decoded = /^[A-Za-z0-9_-]{1,64}$/.test(cursor)
    ? Buffer.from(cursor, 'base64url').toString()
    : '';
  const match = /^v1:(\d{1,16})$/.exec(decoded);
  const id = match ? Number(match[1]) : NaN;
  if (!Number.isSafeInteger(id)) {
    throw new AppException(ErrorCode.INVALID_CURSOR, 'The cursor was not issued by this API.', {
      errors: [{ field: 'cursor', message: 'is not a cursor of this list' }],
    });
  }
  return id;
}

/**
 * One page of a keyset list: `fetch` reads up to `limit` rows after the cursor's row (and one
 * more, whose presence says whether a next page exists); each row of the page goes through
 * `view`.
 */
export async function paginate<Row extends { id: number }, View>(
  request: { cursor?: string; limit?: number },
  defaultLimit: number,
  fetch: (position: { cursorId: number | undefined; limit: number }) => Promise<Row[]>,
  view: (row: Row) => View,
): Promise<{ data: View[]; nextCursor: string | null }> {
  const limit = request.limit ?? defaultLimit;
  const cursorId = request.cursor === undefined ? undefined : decodeCursor(request.cursor);
  const rows = await fetch({ cursorId, limit: limit + 1 });
  const page = toPage(rows, limit, (row) => row.id);
  return { data: page.items.map(view), nextCursor: page.nextCursor };
}

/** Fetch one row more than the page: its presence says whether a next page exists. */
export function toPage<T>(
  rows: T[],
  limit: number,
  idOf: (row: T) => number,
): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  return {
    items,
    nextCursor: rows.length > limit ? encodeCursor(idOf(items[items.length - 1])) : null,
  };
}
