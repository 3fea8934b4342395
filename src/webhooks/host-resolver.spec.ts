import { lookup } from 'node:dns/promises';
import { HostResolver, LOOKUP_TIMEOUT_MS, LookupTimeoutError } from './host-resolver';

// A resolver that never answers cannot be run here (the machine's resolv.conf is not the
// test's): the system lookup is replaced by one the test holds open or answers.
jest.mock('node:dns/promises', () => ({ lookup: jest.fn() }));
const mockedLookup = lookup as unknown as jest.Mock;

describe('HostResolver: a bounded lookup, a bounded number at once', () => {
  beforeEach(() => {
    jest.useFakeTimers();
    mockedLookup.mockReset();
  });
  afterEach(() => jest.useRealTimers());

  it('gives up on a lookup that does not end in time, and frees its slot only when it ends', async () => {
    const hung: ((value: unknown) => void)[] = [];
    mockedLookup.mockImplementation((hostname: string) =>
      hostname === 'slow.example'
        ? new Promise((resolve) => hung.push(resolve))
        : Promise.resolve([{ address: '93.184.215.14', family: 4 }]),
    );
    const resolver = new HostResolver();
    const slow = [resolver.resolve('slow.example'), resolver.resolve('slow.example')];
    const fast = resolver.resolve('fast.example');
    const settled = Promise.allSettled([...slow, fast]);
    await jest.advanceTimersByTimeAsync(LOOKUP_TIMEOUT_MS + 1);
    const outcomes = await settled;
    // Both slots held by hung lookups: the third never started, and waited no longer either.
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected', 'rejected']);
    for (const outcome of outcomes) {
      expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(LookupTimeoutError);
    }
    expect(mockedLookup).toHaveBeenCalledTimes(2);

    for (const resolve of hung) resolve([]);
    await jest.advanceTimersByTimeAsync(0);
    await expect(resolver.resolve('fast.example')).resolves.toEqual([
      { address: '93.184.215.14', family: 4 },
    ]);
  });
});
