import { fromDatabaseTimestamp, toDatabaseTimestamp } from './columns';

describe('database timestamps', () => {
  it('writes UTC with milliseconds, as datetime(3) and SQLite text both read it', () => {
    expect(toDatabaseTimestamp(new Date('2026-11-27T05:06:07.089Z'))).toBe(
      '2026-11-27 05:06:07.089',
    );
    expect(toDatabaseTimestamp(new Date(Date.UTC(2026, 0, 1)))).toBe('2026-01-01 00:00:00.000');
  });

  it.each(['2026-11-27T05:06:07.089Z', '1999-12-31T23:59:59.999Z', '2038-01-19T03:14:08.001Z'])(
    'reads back what it wrote: %s',
    (iso) => {
      const date = new Date(iso);
      expect(fromDatabaseTimestamp(toDatabaseTimestamp(date))).toEqual(date);
      expect(fromDatabaseTimestamp(date)).toBe(date);
    },
  );

  it('keeps null as null', () => {
    expect(fromDatabaseTimestamp(null)).toBeNull();
  });
});
