import type { LoggerService } from '@nestjs/common';

// eslint-disable-next-line no-control-regex -- matching the escape character is the point
const ANSI_ESCAPE = /\u001b\[[0-9;]*[A-Za-z]/g;

function plain(value: unknown): unknown {
  return typeof value === 'string' ? value.replace(ANSI_ESCAPE, '') : value;
}

/**
 * Info lines a person at a terminal has no use for: Nest's own start-up (one line per module,
 * controller and route) and which instance relays events (there is one in development). They
 * are written at debug level instead (LOG_LEVEL=debug shows them).
 */
export const START_UP_CHATTER: ReadonlySet<string> = new Set([
  'NestFactory',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestApplication',
  'EventRelay',
]);

/**
 * Nest colours some of its own messages with ANSI escapes (its console logger's habit, unless
 * NO_COLOR is set); inside a JSON log line they are noise that log tools show as `\u001b[32m`.
 * This strips them from every message before the JSON logger writes it.
 */
export class PlainTextLogger implements LoggerService {
  /** `demoted`: contexts whose info lines are written at debug level. */
  constructor(
    private readonly inner: LoggerService,
    private readonly demoted: ReadonlySet<string> = new Set(),
  ) {}

  log(message: unknown, ...rest: unknown[]): void {
    // Nest passes the context last.
    const context = rest.at(-1);
    if (typeof context === 'string' && this.demoted.has(context)) {
      this.debug(message, ...rest);
      return;
    }
    this.inner.log(plain(message), ...rest.map(plain));
  }

  error(message: unknown, ...rest: unknown[]): void {
    this.inner.error(plain(message), ...rest.map(plain));
  }

  warn(message: unknown, ...rest: unknown[]): void {
    this.inner.warn(plain(message), ...rest.map(plain));
  }

  debug(message: unknown, ...rest: unknown[]): void {
    this.inner.debug?.(plain(message), ...rest.map(plain));
  }

  verbose(message: unknown, ...rest: unknown[]): void {
    this.inner.verbose?.(plain(message), ...rest.map(plain));
  }

  fatal(message: unknown, ...rest: unknown[]): void {
    this.inner.fatal?.(plain(message), ...rest.map(plain));
  }
}
