import {
  Inject,
  Injectable,
  Optional,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig, DatabaseConfig } from '../config';
import { databaseProblem, permanentConnectProblem } from './database-errors';
import { adaptEntitiesToSqlite } from './sqlite-dialect';

/** Called after each successful connection and migration run. */
export type DatabaseConnectedHook = (dataSource: DataSource) => Promise<void>;
export const DATABASE_CONNECTED = Symbol('DATABASE_CONNECTED');

const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 10_000;

/** Which server, user and database a connection goes to: everything but the password. */
export function describeDatabase(database: DatabaseConfig): string {
  if (database.type !== 'mysql') return `the SQLite file ${database.path}`;
  const url = new URL(database.url);
  const user = decodeURIComponent(url.username) || '(none)';
  return (
    `database '${decodeURIComponent(url.pathname.slice(1))}' at ${url.hostname}:` +
    `${url.port || '3306'} as user '${user}'`
  );
}

/**
 * Connects the DataSource, runs pending migrations, then the composition root's hook (the demo
 * data of a fresh embedded database). The first attempt is awaited at start; if the database is
 * down, the app listens anyway (not ready, 503 on data routes) and keeps retrying in the
 * background, so it recovers without a restart when the database appears. A server that refuses
 * the credentials, the host or the grants, or does not know the database, is tried
 * DATABASE_CONNECT_ATTEMPTS times (once by default), then given up on: whoever listens to
 * onGiveUp (main.ts) ends the process, since no wait will fix the configuration.
 */
@Injectable()
export class DatabaseConnector implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(DatabaseConnector.name);
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private refusals = 0;
  private readonly giveUpListeners: ((problem: string) => void)[] = [];
  private markConnected: () => void = () => undefined;
  private readonly connected = new Promise<void>((resolve) => (this.markConnected = resolve));

  constructor(
    @Inject(AppConfig) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    @Optional()
    @Inject(DATABASE_CONNECTED)
    private readonly onConnected: DatabaseConnectedHook | null = null,
  ) {}

  /** Settles once the database answered: connected, migrated, the hook run. Never, if not. */
  whenConnected(): Promise<void> {
    return this.connected;
  }

  /** Called once, with what is wrong, when the connector stops trying. */
  onGiveUp(listener: (problem: string) => void): void {
    this.giveUpListeners.push(listener);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!(await this.connect())) this.scheduleRetry(FIRST_RETRY_MS);
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
  }

  private async connect(): Promise<boolean> {
    try {
      if (!this.dataSource.isInitialized) {
        // initialize() rebuilds the subscriber list: keep those other modules added at start.
        const added = [...this.dataSource.subscribers];
        await this.dataSource.initialize();
        adaptEntitiesToSqlite(this.dataSource);
        for (const subscriber of added) {
          if (!this.dataSource.subscribers.includes(subscriber)) {
            this.dataSource.subscribers.push(subscriber);
          }
        }
      }
      if (this.config.migrationsRun) {
        await this.dataSource.runMigrations({ transaction: 'each' });
      }
      await this.onConnected?.(this.dataSource);
      this.markConnected();
      return true;
    } catch (error) {
      if (this.dataSource.isInitialized) await this.dataSource.destroy().catch(() => undefined);
      this.reportFailure(error);
      return false;
    }
  }

  private reportFailure(error: unknown): void {
    const target = describeDatabase(this.config.database);
    const problem = permanentConnectProblem(error);
    if (problem === null) {
      this.refusals = 0;
      this.logger.warn(`The database is not available yet (${target}): ${databaseProblem(error)}`);
      return;
    }
    this.refusals++;
    const attempts = this.config.databaseConnectAttempts;
    const failure = `Cannot use the ${target}: ${problem}`;
    if (this.refusals < attempts) {
      this.logger.error(`${failure} (attempt ${this.refusals} of ${attempts})`);
      return;
    }
    this.stopped = true;
    this.logger.fatal(attempts === 1 ? failure : `${failure} (gave up after ${attempts} attempts)`);
    for (const listener of this.giveUpListeners) listener(failure);
  }

  private scheduleRetry(delayMs: number): void {
    if (this.stopped) return;
    this.retryTimer = setTimeout(() => {
      void this.connect().then((connected) => {
        if (connected) this.logger.log('Connected to the database.');
        else this.scheduleRetry(Math.min(delayMs * 2, MAX_RETRY_MS));
      });
    }, delayMs);
    this.retryTimer.unref();
  }
}
