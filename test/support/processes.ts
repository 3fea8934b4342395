import { ChildProcess, execFile, spawn } from 'node:child_process';
import { createServer, Socket, connect } from 'node:net';
import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The repository root: dist/ and node_modules/ live here. */
export const REPO_ROOT = resolve(__dirname, '..', '..');

/** A scratch directory laid out like a checkout: dist/ and node_modules/ link to the repo's. */
export function scratchCheckout(): string {
  const directory = mkdtempSync(join(tmpdir(), 'uo-process-'));
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(directory, 'node_modules'), 'dir');
  symlinkSync(join(REPO_ROOT, 'dist'), join(directory, 'dist'), 'dir');
  return directory;
}

/**
 * A clean environment for a child process: PATH and exactly the variables under test. Nothing
 * is inherited from jest (no NODE_ENV=test, no developer's DATABASE_URL).
 */
export function cleanEnv(variables: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin', ...variables };
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ProcessResult extends Exit {
  stdout: string;
  stderr: string;
  /** True when the process had to be killed because it outlived the timeout. */
  timedOut: boolean;
}

/** Every child started here, so a suite can kill what is left in afterAll. */
const running = new Set<ChildProcess>();

/** A node process started from the built app, with its output collected as it comes. */
export class NodeProcess {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly exited: Promise<Exit>;
  private exit: Exit | null = null;
  private readonly listeners = new Set<() => void>();

  constructor(args: string[], options: { env: NodeJS.ProcessEnv; cwd?: string }) {
    this.child = spawn(process.execPath, args, {
      cwd: options.cwd ?? REPO_ROOT,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(this.child);
    this.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      this.stdout += chunk;
      this.notify();
    });
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr += chunk;
      this.notify();
    });
    this.exited = new Promise<Exit>((resolveExit) => {
      this.child.on('close', (code, signal) => {
        running.delete(this.child);
        this.exit = { code, signal };
        this.notify();
        resolveExit(this.exit);
      });
    });
  }

  get hasExited(): boolean {
    return this.exit !== null;
  }

  /** Resolves with the first match of `pattern` in stdout; rejects on exit or timeout. */
  waitForStdout(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    return new Promise((resolveMatch, reject) => {
      const check = () => {
        const match = this.stdout.match(pattern);
        if (match) {
          done();
          resolveMatch(match);
        } else if (this.exit) {
          done();
          reject(
            new Error(`The process exited (${this.describeExit()}) before printing ${pattern}`),
          );
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`Nothing matched ${pattern} within ${timeoutMs} ms${this.output()}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
      check();
    });
  }

  /** The exit, or null when the process is still running after `timeoutMs`. */
  async waitForExit(timeoutMs: number): Promise<Exit | null> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<null>((resolveTimeout) => {
      timer = setTimeout(() => resolveTimeout(null), timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Kills the process if it still runs, and waits for it to be gone. */
  async stop(): Promise<void> {
    if (!this.exit) {
      this.child.kill('SIGKILL');
      await this.exited;
    }
  }

  output(): string {
    return `\n--- stdout ---\n${this.stdout}\n--- stderr ---\n${this.stderr}`;
  }

  private describeExit(): string {
    return this.exit ? `code ${this.exit.code}, signal ${this.exit.signal}` : 'running';
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

/** Runs `node <args>` to completion; a process outliving `timeoutMs` is killed. */
export async function runNode(
  args: string[],
  options: { env: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number },
): Promise<ProcessResult> {
  const child = new NodeProcess(args, options);
  const exit = await child.waitForExit(options.timeoutMs ?? 30_000);
  if (exit === null) await child.stop();
  const final = exit ?? (await child.exited);
  return { ...final, stdout: child.stdout, stderr: child.stderr, timedOut: exit === null };
}

/** Kills every child process still running (for afterAll). */
export async function killAllProcesses(): Promise<void> {
  const children = [...running];
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolveClose) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolveClose();
          child.once('close', () => resolveClose());
          child.kill('SIGKILL');
        }),
    ),
  );
}

/** A port that was free a moment ago: bind port 0, read the port, close. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        return reject(new Error('No port'));
      }
      server.close(() => resolvePort(address.port));
    });
  });
}

/** Runs a shell command line with bash, as a user pasting it would. */
export function runBash(
  command: string,
  timeoutMs = 30_000,
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolveRun, reject) => {
    execFile('bash', ['-c', command], { timeout: timeoutMs }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`${error.message}\n${stdout}\n${stderr}`));
      resolveRun({ stdout, stderr });
    });
  });
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * An HTTP/1.1 request over a raw socket, sent in two parts: `start` now, `finish()` later. Until
 * the second part arrives the server holds a request it cannot complete: a request in flight.
 */
export class SplitRequest {
  private readonly socket: Socket;
  private readonly received: Buffer[] = [];
  readonly response: Promise<RawResponse>;
  readonly connected: Promise<void>;

  constructor(
    port: number,
    private readonly start: string,
    private readonly rest: string,
  ) {
    this.socket = connect({ host: '127.0.0.1', port });
    this.connected = new Promise((resolveConnect, reject) => {
      this.socket.once('error', reject);
      this.socket.once('connect', () => {
        this.socket.write(this.start, (error) => (error ? reject(error) : resolveConnect()));
      });
    });
    this.response = new Promise((resolveResponse, reject) => {
      this.socket.on('data', (chunk: Buffer) => {
        this.received.push(chunk);
      });
      this.socket.on('error', reject);
      this.socket.on('close', () => {
        try {
          resolveResponse(parseResponse(Buffer.concat(this.received)));
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
    });
    // Keep an early failure from being reported as unhandled before a test awaits it.
    this.response.catch(() => undefined);
    this.connected.catch(() => undefined);
  }

  finish(): void {
    this.socket.write(this.rest);
  }

  destroy(): void {
    this.socket.destroy();
  }
}

function parseResponse(raw: Buffer): RawResponse {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) throw new Error(`No complete HTTP response: ${JSON.stringify(raw.toString())}`);
  const [statusLine, ...lines] = raw.subarray(0, end).toString('latin1').split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
  if (!status) throw new Error(`Not an HTTP status line: ${statusLine}`);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = raw.subarray(end + 4);
  if (headers['transfer-encoding'] === 'chunked') {
    const chunks: Buffer[] = [];
    for (;;) {
      const lineEnd = body.indexOf('\r\n');
      const size = parseInt(body.subarray(0, lineEnd).toString('latin1'), 16);
      if (!size) break;
      chunks.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
      body = body.subarray(lineEnd + 2 + size + 2);
    }
    body = Buffer.concat(chunks);
  }
  return { status: Number(status[1]), headers, body: body.toString('utf8') };
}

/** True once nothing accepts connections on the port any more (the server stopped listening). */
export function isRefusingConnections(port: number): Promise<boolean> {
  return new Promise((resolveCheck) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolveCheck(false);
    });
    socket.once('error', () => resolveCheck(true));
  });
}

export const sleep = (ms: number) => new Promise((resolveSleep) => setTimeout(resolveSleep, ms));
