import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { jetstream, jetstreamManager, JetStreamClient } from '@nats-io/jetstream';
import type { ConnectionOptions, NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { AppConfig } from '../config';
import type { NatsConfig } from '../config';
import type { SqlExecutor } from '../database';
import {
  ENVELOPE_COLUMNS,
  EnvelopeRow,
  OutboxEvent,
  outboxEvent,
  PendingEvent,
} from './event-envelope';
import { EventMetrics } from './event-metrics';
import type { EventSink } from './event-sink';
import { RelayDatabase } from './relay-database';
import { deleteByPrimaryKey, inLists, rowChunks, valueRows } from './sql-lists';

/**
 * transport-node re-exports nats-core's types through a subpath export, which this project's
 * module resolution (node10, for CommonJS) does not follow: typed from nats-core directly.
 */
const connectNats = connect as (options: ConnectionOptions) => Promise<NatsConnection>;

const BATCH = 128;
/** A publish not acknowledged by then is tried again (JetStream drops the duplicate). */
const PUBLISH_TIMEOUT_MS = 2000;
const CONNECT_RETRY_MS = 2000;
/** The queue is looked at this often even when this instance queued nothing (another did). */
const QUEUE_LOOK_MS = 1000;

/** The subject of an event: `<prefix>.<organizationId>.<type>` (type holds a dot itself). */
export function natsSubject(prefix: string, event: OutboxEvent): string {
  return `${prefix}.${event.organizationId}.${event.type}`;
}

/**
 * Publishes every event to NATS JetStream when EVENTS_NATS_URL is set (DESIGN 11). Events wait
 * in `event_broker_queue` (filled by the relay in its transaction) and are published one at a
 * time in queue order, each acknowledged before the next: a failure stops the batch, so the
 * stream never holds an event before one that precedes it. The event id is the `Nats-Msg-Id`,
 * so a publish repeated after a lost acknowledgement (a crash, a NATS restart) is dropped by
 * JetStream's duplicate window instead of stored twice.
 */
@Injectable()
export class NatsPublisher implements EventSink, OnApplicationShutdown {
  readonly name = 'nats';
  private readonly logger = new Logger(NatsPublisher.name);
  private readonly settings: NatsConfig | null;
  private connection: NatsConnection | null = null;
  private client: JetStreamClient | null = null;
  private streamReady = false;
  private connected = false;
  private lastConnectAttempt = 0;
  private draining: Promise<void> | null = null;
  /** Whether the last drain left events behind it: the relay then comes back sooner. */
  private hadWork = false;
  /** Whether the queue may hold events the last look did not see, and when it was looked at. */
  private queueChanged = true;
  private lastLook = 0;
  private closing = false;
  private lastError = '';

  constructor(
    config: AppConfig,
    private readonly database: RelayDatabase,
    private readonly metrics: EventMetrics,
  ) {
    this.settings = config.events.nats;
  }

  get enabled(): boolean {
    return this.settings !== null;
  }

  async accept(executor: SqlExecutor, events: PendingEvent[]): Promise<void> {
    if (this.settings === null) return;
    for (const chunk of rowChunks(events)) {
      await executor.execute(
        'INSERT INTO `event_broker_queue` (`auditEventId`) VALUES ' + valueRows(chunk.length, 1),
        chunk.map((event) => event.auditId),
      );
    }
    this.queueChanged = true;
  }

  deliver(): Promise<boolean> {
    if (this.settings === null || this.closing) return Promise.resolve(false);
    const due = this.queueChanged || Date.now() - this.lastLook >= QUEUE_LOOK_MS;
    if (this.draining === null && due) {
      this.draining = this.drain(this.settings).finally(() => {
        this.draining = null;
      });
    }
    return Promise.resolve(this.hadWork);
  }

  async settle(): Promise<void> {
    await this.draining;
    // Whoever holds the lease next may queue events here meanwhile.
    this.queueChanged = true;
  }

  onApplicationShutdown(): Promise<void> {
    return this.close();
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.settle();
    await this.connection?.close().catch(() => undefined);
    this.connection = null;
  }

  private async drain(settings: NatsConfig): Promise<void> {
    try {
      const client = await this.ready(settings);
      if (client === null) {
        this.hadWork = false;
        return;
      }
      this.queueChanged = false;
      this.lastLook = Date.now();
      const rows = await this.database.query<EnvelopeRow & { queueId: number | string }>(
        'SELECT q.`id` AS `queueId`, ' +
          ENVELOPE_COLUMNS +
          ' FROM `event_broker_queue` q JOIN `audit_events` a ON a.`id` = q.`auditEventId`' +
          ' ORDER BY q.`id` LIMIT ' +
          String(BATCH),
      );
      const published: number[] = [];
      try {
        for (const row of rows) {
          const event = outboxEvent(row);
          await client.publish(natsSubject(settings.subjectPrefix, event), event.body, {
            msgID: event.id,
            timeout: PUBLISH_TIMEOUT_MS,
          });
          published.push(Number(row.queueId));
          this.metrics.delivered('nats', event.createdAt);
        }
      } catch (error) {
        // The stream may be gone (a NATS restart without storage): make sure of it next time.
        this.streamReady = false;
        this.logger.warn(`NATS publish failed, retrying: ${describe(error)}`);
      }
      for (const ids of inLists(published)) {
        await this.database.execute(
          deleteByPrimaryKey(this.database.engine, 'event_broker_queue') + ids.sql,
          ids.parameters,
        );
      }
      // A full batch leaves more behind it; a failed publish leaves its event.
      this.hadWork = rows.length === BATCH || published.length < rows.length;
      if (this.hadWork) this.queueChanged = true;
      this.lastError = '';
    } catch (error) {
      this.queueChanged = true;
      // Once per kind of failure, not once per pass (every 100 ms while there is work).
      const message = describe(error);
      if (message !== this.lastError) this.logger.warn(`NATS publishing paused: ${message}`);
      this.lastError = message;
    }
  }

  /** The JetStream client once connected and the stream exists; null while it cannot be. */
  private async ready(settings: NatsConfig): Promise<JetStreamClient | null> {
    let connection = this.connection;
    if (connection === null) {
      if (Date.now() - this.lastConnectAttempt < CONNECT_RETRY_MS) return null;
      this.lastConnectAttempt = Date.now();
      try {
        connection = await connectNats({
          servers: settings.servers,
          name: 'users-organizations',
          // Once connected, the client reconnects by itself for as long as the app runs.
          maxReconnectAttempts: -1,
          reconnectTimeWait: 500,
        });
      } catch (error) {
        this.logger.warn(`Cannot reach NATS at ${settings.servers.join(',')}: ${describe(error)}`);
        return null;
      }
      this.connection = connection;
      this.connected = true;
      this.client = jetstream(connection);
      void this.watch(connection);
      this.logger.log(`Publishing events to NATS stream ${settings.stream}`);
    }
    if (!this.connected) return null;
    if (!this.streamReady) {
      await this.ensureStream(connection, settings);
      this.streamReady = true;
    }
    return this.client;
  }

  /** Publishing pauses while disconnected: requests would only time out one by one. */
  private async watch(connection: NatsConnection): Promise<void> {
    for await (const status of connection.status()) {
      if (status.type === 'disconnect' && this.connected) {
        this.connected = false;
        this.logger.warn('Lost the NATS connection: events wait in their queue until it is back');
      }
      if (status.type === 'reconnect') {
        this.connected = true;
        this.streamReady = false;
        this.logger.log('NATS connection back: publishing the waiting events');
      }
    }
  }

  private async ensureStream(connection: NatsConnection, settings: NatsConfig): Promise<void> {
    const manager = await jetstreamManager(connection);
    try {
      await manager.streams.info(settings.stream);
    } catch (error) {
      if ((error as { code?: unknown }).code !== 404 && !/not found/i.test(describe(error))) {
        throw error;
      }
      await manager.streams.add({
        name: settings.stream,
        subjects: [`${settings.subjectPrefix}.>`],
      });
      this.logger.log(`Created the NATS stream ${settings.stream}`);
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
