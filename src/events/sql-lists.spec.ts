import {
  deleteByPrimaryKey,
  EXACT_ROWS,
  inList,
  inLists,
  LARGEST_CHUNK,
  rowChunks,
  valueRows,
} from './sql-lists';

describe('rowChunks', () => {
  it('keeps every item, in order: up to EXACT_ROWS in one chunk, more in powers of two', () => {
    for (const count of [0, 1, 2, 3, 7, 16, 17, 31, 100, 255, 256, 257, 1000]) {
      const items = Array.from({ length: count }, (_, index) => index);
      const chunks = rowChunks(items);
      expect(chunks.flat()).toEqual(items);
      for (const [index, chunk] of chunks.entries()) {
        expect(chunk.length).toBeLessThanOrEqual(LARGEST_CHUNK);
        if (index < chunks.length - 1) expect(Number.isInteger(Math.log2(chunk.length))).toBe(true);
        else
          expect(chunk.length <= EXACT_ROWS || Number.isInteger(Math.log2(chunk.length))).toBe(
            true,
          );
      }
    }
    expect(rowChunks(new Array<number>(7).fill(0))).toHaveLength(1);
    expect(rowChunks(new Array<number>(100).fill(0)).map((chunk) => chunk.length)).toEqual([
      64, 32, 4,
    ]);
  });
});

describe('inList', () => {
  it('pads to a power of two with the last id', () => {
    expect(inList([4, 5, 6])).toEqual({ sql: '(?, ?, ?, ?)', parameters: [4, 5, 6, 6] });
    expect(inList([9])).toEqual({ sql: '(?)', parameters: [9] });
  });

  it('refuses an empty or oversized list', () => {
    expect(() => inList([])).toThrow(RangeError);
    expect(() => inList(new Array<number>(LARGEST_CHUNK + 1).fill(1))).toThrow(RangeError);
  });
});

describe('inLists', () => {
  it('sends up to LARGEST_CHUNK ids in one padded list, and keeps every id in order', () => {
    expect(inLists([])).toEqual([]);
    expect(inLists([1, 2, 3, 4, 5, 6, 7])).toEqual([inList([1, 2, 3, 4, 5, 6, 7])]);
    const ids = Array.from({ length: LARGEST_CHUNK + 3 }, (_, index) => index);
    const lists = inLists(ids);
    expect(lists.map((list) => list.parameters.length)).toEqual([LARGEST_CHUNK, 4]);
    expect([...new Set(lists.flatMap((list) => list.parameters))]).toEqual(ids);
  });
});

describe('valueRows', () => {
  it('writes one placeholder group per row', () => {
    expect(valueRows(2, 3)).toBe('(?, ?, ?), (?, ?, ?)');
  });
});

describe('deleteByPrimaryKey', () => {
  it('puts the index hint where MySQL accepts it on a DELETE: the multi-table form', () => {
    expect(deleteByPrimaryKey('mysql', 'queue')).toBe(
      'DELETE t FROM `queue` t FORCE INDEX (PRIMARY) WHERE t.`id` IN ',
    );
    expect(deleteByPrimaryKey('sqlite', 'queue')).toBe('DELETE FROM `queue` WHERE `id` IN ');
  });
});
