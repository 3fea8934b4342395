import { ChildProcess, execFileSync, fork, spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Every process the bench starts, so that all of them stop with it, whatever happens. */
const children = new Set<ChildProcess>();

export function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

export function killAll(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  children.clear();
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface Server {
  name: string;
  child: ChildProcess;
  port: number;
  logFile: string;
}

export function startServer(
  name: string,
  node: string,
  nodeArguments: string[],
  script: string,
  scriptArguments: string[],
  env: NodeJS.ProcessEnv,
  port: number,
  logFile: string,
  cwd: string,
): Server {
  const log = openSync(logFile, 'w');
  try {
    const child = spawn(node, [...nodeArguments, script, ...scriptArguments], {
      cwd,
      env,
      stdio: ['ignore', log, log],
    });
    return { name, child: track(child), port, logFile };
  } finally {
    closeSync(log);
  }
}

/** Polls GET /health/ready until 200; fails if the process exits or the time runs out. */
export async function waitReady(server: Server, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.child.exitCode !== null || server.child.signalCode !== null) {
      throw new Error(`${server.name} exited during start; see ${server.logFile}`);
    }
    try {
      const response = await fetch(`http://127.0.0.1:${server.port}/health/ready`, {
        signal: AbortSignal.timeout(2000),
      });
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${server.name} not ready after ${timeoutMs} ms; see ${server.logFile}`);
}

/** SIGTERM, then SIGKILL after a grace period; resolves once the process is gone. */
export function stopProcess(child: ChildProcess, graceMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export function forkDriver(script: string): ChildProcess {
  return track(fork(script, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
}

let clockTicks: number | undefined;
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** User + system CPU seconds a process has used, from /proc/<pid>/stat; null if unreadable. */
export function cpuSeconds(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond();
  } catch {
    return null;
  }
}

/** A field of /proc/<pid>/status in MB (VmRSS, VmHWM). */
export function memoryMb(pid: number | undefined, field: 'VmRSS' | 'VmHWM'): number | null {
  if (pid === undefined) return null;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** The database server's pid when it runs on this machine (to report its CPU per request). */
export function databaseServerPid(): number | undefined {
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const command = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
        if (command === 'mariadbd' || command === 'mysqld') return Number(entry);
      } catch {
        // gone meanwhile
      }
    }
  } catch {
    // no /proc
  }
  return undefined;
}

/** Samples VmRSS every 200 ms until stopped; returns the highest value seen. */
export function sampleRss(pid: number | undefined): () => number | null {
  let peak: number | null = null;
  const sample = () => {
    const rss = memoryMb(pid, 'VmRSS');
    if (rss !== null && (peak === null || rss > peak)) peak = rss;
  };
  sample();
  const timer = setInterval(sample, 200);
  return () => {
    clearInterval(timer);
    sample();
    return peak;
  };
}
