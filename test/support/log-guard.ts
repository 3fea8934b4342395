import type { DestinationStream } from 'pino';

/** A log line as pino writes it (only the fields the guard reads). */
interface LogLine {
  level?: string;
  msg?: string;
  context?: string;
}

const ALARMING = new Set(['warn', 'error', 'fatal']);

/**
 * The log is part of every e2e test's result: apps started by startTestApp write their JSON lines
 * here, and a warn, error or fatal line that the running test did not declare fails it (checked
 * after each test by test/support/e2e.setup.ts, and when an app closes). A code path whose
 * SQL the engine rejects, or a relay that keeps failing, can no longer pass silently behind a
 * layer that hides its effect.
 *
 * One guard per test file (Jest gives each file its own modules): every app of the file writes
 * to it, since nestjs-pino sends lines written outside a request to the first logger the file
 * made, whichever app wrote them.
 */
export class LogGuard {
  private buffer = '';
  private forTest: RegExp[] = [];
  private forFile: RegExp[] = [];
  private unexpected: string[] = [];
  private seen = new Map<RegExp, number>();
  private required: RegExp[] = [];

  readonly stream: DestinationStream = {
    write: (chunk: string) => {
      this.buffer += chunk;
      let end: number;
      while ((end = this.buffer.indexOf('\n')) >= 0) {
        this.read(this.buffer.slice(0, end));
        this.buffer = this.buffer.slice(end + 1);
      }
    },
  };

  /** Lines matching `pattern` may appear until the running test ends. */
  allow(...patterns: RegExp[]): void {
    this.forTest.push(...patterns);
  }

  /** Lines matching `pattern` must appear, at least once, before the running test ends. */
  expect(...patterns: RegExp[]): void {
    this.forTest.push(...patterns);
    this.required.push(...patterns);
  }

  /** Lines matching `pattern` may appear in any test of this file (a suite's known condition). */
  allowInFile(...patterns: RegExp[]): void {
    this.forFile.push(...patterns);
  }

  /**
   * After a test: throws when a line came that nobody declared, or an expected one did not; then
   * forgets the test's declarations. Lines reported once do not fail the next test too.
   */
  checkTest(when: string): void {
    const missing = this.required.filter((pattern) => !this.seen.has(pattern));
    this.forTest = [];
    this.required = [];
    this.seen.clear();
    this.throwProblems(when, [
      ...missing.map((pattern) => `expected a log line matching ${String(pattern)}, none came`),
    ]);
  }

  /** When an app closes (perhaps inside a test): throws on the undeclared lines so far. */
  checkLines(when: string): void {
    this.throwProblems(when, []);
  }

  private throwProblems(when: string, problems: string[]): void {
    const counts = new Map<string, number>();
    for (const line of this.unexpected) counts.set(line, (counts.get(line) ?? 0) + 1);
    this.unexpected = [];
    const lines = [...counts].map(
      ([line, count]) => `unexpected log line${count > 1 ? ` (${count} times)` : ''}: ${line}`,
    );
    const all = [...lines.slice(0, 20), ...problems];
    if (lines.length > 20) all.push(`... and ${lines.length - 20} other unexpected lines`);
    if (all.length > 0) throw new Error(`${when}:\n${all.join('\n')}`);
  }

  private read(text: string): void {
    if (text.trim() === '') return;
    let line: LogLine;
    try {
      line = JSON.parse(text) as LogLine;
    } catch {
      this.unexpected.push(`(not JSON) ${text.slice(0, 500)}`);
      return;
    }
    if (!ALARMING.has(line.level ?? '')) return;
    const described = `[${line.level}]${line.context ? ` ${line.context}:` : ''} ${line.msg ?? ''}`;
    const matched = [...this.forTest, ...this.forFile].filter((pattern) => pattern.test(described));
    for (const pattern of matched) this.seen.set(pattern, (this.seen.get(pattern) ?? 0) + 1);
    if (matched.length === 0) this.unexpected.push(described.slice(0, 600));
  }
}

export const LOG_GUARD = new LogGuard();

/** The warn line of every refused membership change or read, logged for security review. */
export const DENIALS = /MembershipAccess: Denied [A-Z_]+:/;
