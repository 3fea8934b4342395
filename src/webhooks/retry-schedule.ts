/** DESIGN 11: an endpoint failing for this long is disabled. */
export const DISABLE_AFTER_MS = 3 * 24 * 3600 * 1000;

/** Each delay is drawn within ±20% of the schedule's, so that receivers back from an outage
 * are not hit by every delivery that failed at the same moment, all at once. */
const JITTER = 0.2;

/**
 * When to try a delivery again after its `attempts`-th attempt (1-based) failed: the
 * schedule's delay for it with jitter, or null once every retry of the schedule was used (the
 * delivery has failed).
 */
export function retryDelayMs(
  scheduleSeconds: number[],
  attempts: number,
  random: () => number = Math.random,
): number | null {
  if (attempts < 1 || attempts > scheduleSeconds.length) return null;
  const base = scheduleSeconds[attempts - 1] * 1000;
  return Math.round(base * (1 - JITTER + 2 * JITTER * random()));
}
