import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { ConnectionOptions, NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { sleep } from './processes';

/** The machine's NATS server (with JetStream); `.ci/run` starts it when it is not running. */
export const MACHINE_NATS = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

const connectNats = connect as (options: ConnectionOptions) => Promise<NatsConnection>;

export interface StreamMessage {
  subject: string;
  msgId: string | undefined;
  body: { id: string; type: string; organizationId: number; data: Record<string, unknown> };
  raw: string;
}

/** Every message of `stream`, in stream order, read by an ordered consumer. */
export async function readStream(server: string, stream: string): Promise<StreamMessage[]> {
  const connection = await connectNats({ servers: server });
  try {
    const manager = await jetstreamManager(connection);
    const total = (await manager.streams.info(stream)).state.messages;
    const messages: StreamMessage[] = [];
    if (total === 0) return messages;
    const consumer = await jetstream(connection).consumers.get(stream);
    const batch = await consumer.fetch({ max_messages: total, expires: 5000 });
    for await (const message of batch) {
      messages.push({
        subject: message.subject,
        msgId: message.headers?.get('Nats-Msg-Id'),
        body: message.json(),
        raw: message.string(),
      });
      if (messages.length === total) break;
    }
    return messages;
  } finally {
    await connection.close();
  }
}

/** How many messages the stream holds; 0 when it does not exist (yet). */
export async function streamSize(server: string, stream: string): Promise<number> {
  const connection = await connectNats({ servers: server });
  try {
    const manager = await jetstreamManager(connection);
    return (await manager.streams.info(stream)).state.messages;
  } catch {
    return 0;
  } finally {
    await connection.close();
  }
}

/** Polls until the stream holds `count` messages (or more). */
export async function waitForStream(server: string, stream: string, count: number, ms = 20_000) {
  const deadline = Date.now() + ms;
  let size = 0;
  while ((size = await streamSize(server, stream)) < count) {
    if (Date.now() > deadline) throw new Error(`${stream} holds ${size} of ${count} messages`);
    await sleep(100);
  }
  return size;
}

/**
 * Creates a test's stream before the app does (the app uses a stream that exists), with a
 * duplicate window of `duplicateWindowMs`: JetStream's default of two minutes would hide an
 * event published twice in any test shorter than that.
 */
export async function createStream(
  server: string,
  stream: string,
  subjectPrefix: string,
  duplicateWindowMs: number,
): Promise<void> {
  const connection = await connectNats({ servers: server });
  try {
    await (
      await jetstreamManager(connection)
    ).streams.add({
      name: stream,
      subjects: [`${subjectPrefix}.>`],
      duplicate_window: duplicateWindowMs * 1_000_000,
    });
  } finally {
    await connection.close();
  }
}

/** Deletes a test run's stream, so the shared server keeps nothing of it. */
export async function deleteStream(server: string, stream: string): Promise<void> {
  const connection = await connectNats({ servers: server });
  try {
    await (await jetstreamManager(connection)).streams.delete(stream).catch(() => false);
  } finally {
    await connection.close();
  }
}

/**
 * A NATS server of the test's own, on a free port with its own JetStream directory: it can be
 * stopped and started again (same port, same storage) without touching the machine's.
 */
export class PrivateNatsServer {
  readonly directory = mkdtempSync(join(tmpdir(), 'uo-nats-'));
  private child: ChildProcess | null = null;

  constructor(readonly port: number) {}

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.child = spawn(
      '/usr/sbin/nats-server',
      ['-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', this.directory],
      { stdio: 'ignore' },
    );
    for (let tries = 0; tries < 100; tries++) {
      try {
        const connection = await connectNats({ servers: this.url, reconnect: false });
        await jetstreamManager(connection);
        await connection.close();
        return;
      } catch {
        await sleep(100);
      }
    }
    throw new Error(`nats-server did not start on ${this.port}`);
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (child === null || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }

  async remove(): Promise<void> {
    await this.stop();
    rmSync(this.directory, { recursive: true, force: true });
  }
}
