import { loadConfig } from '../../config/app-config';
import { RateLimitStore } from './rate-limit.store';

describe('RateLimitStore without Redis', () => {
  let store: RateLimitStore;
  beforeEach(() => {
    store = new RateLimitStore(loadConfig({}));
  });
  afterEach(() => store.onApplicationShutdown());

  it('counts hits in a fixed window per key', async () => {
    expect(await store.read('a')).toEqual({ count: 0, resetSeconds: 0 });
    await store.hit('a', 60_000);
    await store.hit('a', 60_000);
    await store.hit('b', 60_000);
    const a = await store.read('a');
    expect(a.count).toBe(2);
    expect(a.resetSeconds).toBeGreaterThan(55);
    expect(a.resetSeconds).toBeLessThanOrEqual(60);
    expect((await store.read('b')).count).toBe(1);
  });

  it('starts a new window once the old one is over', async () => {
    jest.useFakeTimers({ now: Date.now() });
    try {
      await store.hit('a', 1000);
      await store.hit('a', 1000);
      jest.setSystemTime(Date.now() + 1001);
      expect((await store.read('a')).count).toBe(0);
      await store.hit('a', 1000);
      expect((await store.read('a')).count).toBe(1);
    } finally {
      jest.useRealTimers();
    }
  });

  it('is the throttler storage: blocks past the limit for the block duration', async () => {
    const first = await store.increment('k', 60_000, 2, 30_000, 'address');
    expect(first).toMatchObject({ totalHits: 1, isBlocked: false });
    await store.increment('k', 60_000, 2, 30_000, 'address');
    const third = await store.increment('k', 60_000, 2, 30_000, 'address');
    expect(third.isBlocked).toBe(true);
    expect(third.timeToBlockExpire).toBeGreaterThan(25);
    expect(third.timeToBlockExpire).toBeLessThanOrEqual(30);
  });

  it('shuts down twice without complaint (Nest calls the hook once per token)', async () => {
    await store.onApplicationShutdown();
    await store.onApplicationShutdown();
  });
});
