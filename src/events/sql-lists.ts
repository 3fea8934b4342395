import type { SqlParameter } from '../database';

/** The longest IN list or multi-row INSERT the relay sends in one statement. */
export const LARGEST_CHUNK = 256;

/** A multi-row INSERT of up to this many rows is one statement, whatever its count. */
export const EXACT_ROWS = 16;

/**
 * Splits `items` into the rows of multi-row INSERTs, which cannot be padded like an IN list
 * (inLists): up to EXACT_ROWS in one chunk as they are, more in powers of two (256, 128, ...)
 * until EXACT_ROWS or fewer remain. MySQL statements are prepared and cached per connection (256
 * at most, shared with the API's): twenty sizes keep the relay's statements to a few dozen,
 * where any count would mean hundreds, and a pass's usual batch is still one statement.
 */
export function rowChunks<T>(items: T[]): T[][] {
  const chunks: T[][] = [];
  let start = 0;
  while (items.length - start > EXACT_ROWS) {
    let size = LARGEST_CHUNK;
    while (size > items.length - start) size /= 2;
    chunks.push(items.slice(start, start + size));
    start += size;
  }
  if (start < items.length) chunks.push(items.slice(start));
  return chunks;
}

/**
 * `(?, ?, ...)` for an IN list of at most LARGEST_CHUNK ids, padded to a power of two by
 * repeating the last id (the same answer, and one statement per size).
 */
export function inList(ids: SqlParameter[]): { sql: string; parameters: SqlParameter[] } {
  if (ids.length === 0 || ids.length > LARGEST_CHUNK) {
    throw new RangeError(`An IN list holds 1 to ${LARGEST_CHUNK} ids, not ${ids.length}`);
  }
  let size = 1;
  while (size < ids.length) size *= 2;
  const parameters = [...ids];
  while (parameters.length < size) parameters.push(ids[ids.length - 1]);
  return { sql: `(${parameters.map(() => '?').join(', ')})`, parameters };
}

/**
 * IN lists for any number of ids: one statement per LARGEST_CHUNK of them, each padded by
 * inList. Padding rather than splitting into powers of two: seven ids are one statement, not
 * three (4 + 2 + 1), and the relay's pass sends one per list it needs, whatever its batch.
 */
export function inLists(ids: SqlParameter[]): { sql: string; parameters: SqlParameter[] }[] {
  const lists: { sql: string; parameters: SqlParameter[] }[] = [];
  for (let start = 0; start < ids.length; start += LARGEST_CHUNK) {
    lists.push(inList(ids.slice(start, start + LARGEST_CHUNK)));
  }
  return lists;
}

/**
 * ` FORCE INDEX (PRIMARY)` on MySQL, for SELECTs and UPDATEs that lock or write rows by an id
 * list (MySQL and MariaDB refuse an index hint on a single-table DELETE: deleteByPrimaryKey). On a
 * small table the optimizer may prefer a full scan to the ids' lookups, and a locking full scan
 * waits on every row another transaction holds: the relay's UPDATE of the audit trail would
 * wait for the API's open transactions (the outbox rows they just wrote) and, worse, lock the
 * gaps they insert into. SQLite has one writer at a time and needs no hint.
 */
export const byPrimaryKey = (engine: 'mysql' | 'sqlite'): string =>
  engine === 'mysql' ? ' FORCE INDEX (PRIMARY)' : '';

/**
 * `DELETE ... WHERE id IN ` for rows of `table` named by an id list, followed by an inList. On
 * MySQL in the multi-table form, the only DELETE that takes byPrimaryKey's hint (and for its
 * reason).
 */
export const deleteByPrimaryKey = (engine: 'mysql' | 'sqlite', table: string): string =>
  engine === 'mysql'
    ? `DELETE t FROM \`${table}\` t${byPrimaryKey(engine)} WHERE t.\`id\` IN `
    : `DELETE FROM \`${table}\` WHERE \`id\` IN `;

/** `(?, ?, ?), (?, ?, ?)` for a multi-row INSERT of `rows` rows of `columns` values each. */
export function valueRows(rows: number, columns: number): string {
  const row = `(${new Array<string>(columns).fill('?').join(', ')})`;
  return new Array<string>(rows).fill(row).join(', ');
}
