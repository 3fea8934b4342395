import pino from 'pino';
import { LogGuard } from './support/log-guard';

/** The guard every e2e test runs under (test/support/log-guard.setup.ts) must be able to fail. */
describe('the log guard of the e2e tests', () => {
  const logInto = (guard: LogGuard) =>
    pino({ formatters: { level: (label) => ({ level: label }) } }, guard.stream);

  it('fails on a warn or error line nobody declared, and only once', () => {
    const guard = new LogGuard();
    const log = logInto(guard);
    log.info('fine');
    log.warn('something odd');
    log.warn('something odd');
    log.error('worse');
    expect(() => guard.checkTest('after the test')).toThrow(
      /unexpected log line \(2 times\): \[warn\] something odd\nunexpected log line: \[error\] worse/,
    );
    expect(() => guard.checkTest('after the next test')).not.toThrow();
  });

  it('lets a test declare the lines it provokes, and fails when an expected one never came', () => {
    const guard = new LogGuard();
    const log = logInto(guard);
    guard.allow(/maybe/);
    guard.expect(/surely/);
    log.warn('maybe this');
    expect(() => guard.checkTest('after the test')).toThrow(
      /expected a log line matching \/surely\/, none came/,
    );
    // The declarations end with the test.
    log.warn('maybe again');
    expect(() => guard.checkLines('when the app closed')).toThrow(/\[warn\] maybe again/);
  });

  it('keeps a file-wide allowance across tests', () => {
    const guard = new LogGuard();
    const log = logInto(guard);
    guard.allowInFile(/known condition/);
    log.warn('a known condition');
    guard.checkTest('first');
    log.error('the known condition again');
    expect(() => guard.checkTest('second')).not.toThrow();
  });
});
