import { retryDelayMs } from './retry-schedule';

const SCHEDULE = [5, 30, 120];

describe('retryDelayMs', () => {
  it('follows the schedule, within ±20% of each delay', () => {
    for (const [attempts, seconds] of [
      [1, 5],
      [2, 30],
      [3, 120],
    ]) {
      expect(retryDelayMs(SCHEDULE, attempts, () => 0)).toBe(seconds * 800);
      expect(retryDelayMs(SCHEDULE, attempts, () => 0.5)).toBe(seconds * 1000);
      expect(retryDelayMs(SCHEDULE, attempts, () => 0.999999)).toBeLessThanOrEqual(seconds * 1200);
    }
  });

  it('spreads the retries of deliveries that failed together', () => {
    const delays = new Set(Array.from({ length: 50 }, () => retryDelayMs(SCHEDULE, 2)));
    expect(delays.size).toBeGreaterThan(10);
  });

  it('gives up after the last delay of the schedule', () => {
    expect(retryDelayMs(SCHEDULE, 4)).toBeNull();
    expect(retryDelayMs([], 1)).toBeNull();
  });
});
