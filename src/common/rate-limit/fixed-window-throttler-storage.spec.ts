import { FixedWindowThrottlerStorage } from './fixed-window-throttler-storage';

describe('FixedWindowThrottlerStorage', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: new Date('2026-11-27T10:00:00.000Z') });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('counts hits per key and per throttler within one window', () => {
    const storage = new FixedWindowThrottlerStorage();
    expect(storage.increment('a', 60_000, 3, 60_000, 'user').totalHits).toBe(1);
    expect(storage.increment('a', 60_000, 3, 60_000, 'user').totalHits).toBe(2);
    expect(storage.increment('b', 60_000, 3, 60_000, 'user').totalHits).toBe(1);
    expect(storage.increment('a', 60_000, 3, 60_000, 'address').totalHits).toBe(1);
  });

  it('blocks past the limit until the block ends, without counting blocked hits', () => {
    const storage = new FixedWindowThrottlerStorage();
    for (let i = 0; i < 2; i++) storage.increment('a', 60_000, 2, 30_000, 'user');
    const over = storage.increment('a', 60_000, 2, 30_000, 'user');
    expect(over).toEqual({
      totalHits: 3,
      timeToExpire: 60,
      isBlocked: true,
      timeToBlockExpire: 30,
    });
    jest.advanceTimersByTime(10_000);
    expect(storage.increment('a', 60_000, 2, 30_000, 'user')).toMatchObject({
      totalHits: 3,
      isBlocked: true,
      timeToBlockExpire: 20,
    });
  });

  it('starts a new window once the old one and its block are over', () => {
    const storage = new FixedWindowThrottlerStorage();
    for (let i = 0; i < 3; i++) storage.increment('a', 60_000, 2, 30_000, 'user');
    jest.advanceTimersByTime(60_001);
    expect(storage.increment('a', 60_000, 2, 30_000, 'user')).toEqual({
      totalHits: 1,
      timeToExpire: 60,
      isBlocked: false,
      timeToBlockExpire: 0,
    });
  });

  it('without a block duration, reports blocked while the window is over the limit', () => {
    const storage = new FixedWindowThrottlerStorage();
    storage.increment('a', 1_000, 1, 0, 'user');
    expect(storage.increment('a', 1_000, 1, 0, 'user').isBlocked).toBe(true);
    jest.advanceTimersByTime(1_001);
    expect(storage.increment('a', 1_000, 1, 0, 'user').isBlocked).toBe(false);
  });
});
