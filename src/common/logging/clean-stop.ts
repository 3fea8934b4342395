import type { Logger } from '@nestjs/common';

const STOP_SIGNALS: NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

/**
 * Says when a stop signal arrives, and once the process ends cleanly after it, that it stopped:
 * create-app's shutdown hooks answer the requests in flight, run every module's hooks, then
 * exit with 0, so the second line is the last one and a supervisor's log shows a clean stop.
 */
export function logCleanStop(logger: Logger): void {
  let received: NodeJS.Signals | undefined;
  for (const signal of STOP_SIGNALS) {
    // Beside Nest's own listener (enableShutdownHooks), which does the stopping.
    process.once(signal, () => {
      if (received !== undefined) return;
      received = signal;
      logger.log(`Stopping on ${signal}: answering the requests in flight.`);
    });
  }
  process.once('exit', (code) => {
    if (received !== undefined && code === 0) logger.log(`Stopped (${received}).`);
  });
}
