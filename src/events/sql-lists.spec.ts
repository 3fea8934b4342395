import {
  deleteByPrimaryKey,
  inList,
  LARGEST_CHUNK,
  powerOfTwoChunks,
  valueRows,
} from './sql-lists';

describe('powerOfTwoChunks', () => {
  it('keeps every item, in order, in chunks whose sizes are powers of two', () => {
    for (const count of [0, 1, 2, 3, 7, 100, 255, 256, 257, 1000]) {
      const items = Array.from({ length: count }, (_, index) => index);
      const chunks = powerOfTwoChunks(items);
      expect(chunks.flat()).toEqual(items);
      for (const chunk of chunks) {
        expect(chunk.length).toBeLessThanOrEqual(LARGEST_CHUNK);
        expect(Number.isInteger(Math.log2(chunk.length))).toBe(true);
      }
    }
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
