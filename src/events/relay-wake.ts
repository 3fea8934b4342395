import { createHash } from 'node:crypto';
import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type { NatsConnection, Subscription } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import Redis from 'ioredis';
import { AppConfig } from '../config';
import type { ConnectionOptions } from '@nats-io/nats-core';

/** Between two tries at a NATS server that could not be reached. */
const NATS_RETRY_MS = 2000;

const connectNats = connect as (options: ConnectionOptions) => Promise<NatsConnection>;

/**
 * The channel's name: one per database (host, port and name, never the credentials), so that
 * deployments sharing a Redis or a NATS never wake each other's relays.
 */
export function wakeChannel(config: AppConfig): string {
  const database = config.database;
  let place = database.type === 'mysql' ? database.url : `sqlite:${database.path}`;
  if (database.type === 'mysql') {
    const url = new URL(database.url);
    place = `${url.hostname}:${url.port}${url.pathname}`;
  }
  const digest = createHash('sha256').update(place).digest('hex').slice(0, 16);
  return `users-organizations.relay-wake.${digest}`;
}

/**
 * Brings a commit made on an instance without the relay's lease to the instance holding it
 * (DESIGN 11), so that the holder looks at the outbox at once instead of at its next poll:
 * Redis pub/sub when REDIS_URL is set, else core NATS (not JetStream: a wake-up is worth
 * nothing later) when EVENTS_NATS_URL is, else nothing (the holder's short poll finds it).
 * A message says only "look now": a lost one costs a poll interval, never an event.
 */
@Injectable()
export class RelayWake implements OnApplicationShutdown {
  private readonly logger = new Logger(RelayWake.name);
  private readonly channel: string;
  private publisher: Redis | null = null;
  private subscriber: Redis | null = null;
  private nats: NatsConnection | null = null;
  private subscription: Subscription | null = null;
  private publishing = false;
  private again = false;
  private lastError = '';
  private closed = false;

  constructor(private readonly config: AppConfig) {
    this.channel = wakeChannel(config);
  }

  /** Which channel carries wake-ups, if any (for the relay's start-up line). */
  get kind(): 'redis' | 'nats' | null {
    if (this.config.rateLimit.redisUrl !== undefined) return 'redis';
    return this.config.events.nats === null ? null : 'nats';
  }

  /**
   * Starts listening: `onWake` runs for every wake-up another instance sends. Connects in the
   * background: an unreachable Redis or NATS delays no start-up (the poll covers meanwhile).
   */
  listen(onWake: () => void): void {
    const kind = this.kind;
    if (kind === 'redis') {
      const url = this.config.rateLimit.redisUrl as string;
      const retryStrategy = () => 1000;
      this.publisher = new Redis(url, { maxRetriesPerRequest: 1, retryStrategy });
      this.subscriber = new Redis(url, { maxRetriesPerRequest: null, retryStrategy });
      this.publisher.on('error', (error: Error) => this.report(error));
      this.subscriber.on('error', (error: Error) => this.report(error));
      this.subscriber.on('message', onWake);
      // ioredis subscribes again by itself after a reconnection.
      this.subscriber.subscribe(this.channel).catch((error: Error) => this.report(error));
    } else if (kind === 'nats') {
      this.joinNats(onWake);
    }
  }

  /** Until it connects (then the client reconnects by itself), every few seconds. */
  private joinNats(onWake: () => void): void {
    const servers = this.config.events.nats?.servers ?? [];
    connectNats({ servers, maxReconnectAttempts: -1, reconnectTimeWait: 500 }).then(
      (connection) => {
        if (this.closed) return void connection.close().catch(() => undefined);
        this.nats = connection;
        this.subscription = connection.subscribe(this.channel, { callback: () => onWake() });
      },
      (error: Error) => {
        this.report(error);
        if (!this.closed) setTimeout(() => this.joinNats(onWake), NATS_RETRY_MS).unref();
      },
    );
  }

  /**
   * Tells the holder to look now. Commits in a burst make one message each time the previous
   * one is out, not one each.
   */
  notify(): void {
    if (this.publisher === null && this.nats === null) return;
    if (this.publishing) {
      this.again = true;
      return;
    }
    this.publishing = true;
    void this.send().finally(() => {
      this.publishing = false;
      if (this.again) {
        this.again = false;
        this.notify();
      }
    });
  }

  private async send(): Promise<void> {
    try {
      if (this.publisher !== null) await this.publisher.publish(this.channel, '');
      else if (this.nats !== null) {
        this.nats.publish(this.channel);
        await this.nats.flush();
      }
    } catch (error) {
      this.report(error as Error);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    this.subscription?.unsubscribe();
    await this.nats?.close().catch(() => undefined);
    this.subscriber?.disconnect();
    this.publisher?.disconnect();
  }

  /** Once per kind of failure: the poll carries on meanwhile. */
  private report(error: Error): void {
    if (error.message === this.lastError) return;
    this.lastError = error.message;
    this.logger.warn(`Relay wake-ups paused (the poll carries on): ${error.message}`);
  }
}
