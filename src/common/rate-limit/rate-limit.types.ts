import type { ThrottlerStorage } from '@nestjs/throttler';

/** What ThrottlerStorage.increment answers (the type is not exported from the package root). */
export type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** A fixed-window counter's state: how many hits, and in how many seconds the window ends. */
export interface WindowCount {
  count: number;
  resetSeconds: number;
}
