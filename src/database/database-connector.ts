import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { seedDemoData } from './seeds/seed-demo';

const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 10_000;

/**
 * Connects the DataSource, runs pending migrations and loads the demo data into a fresh embedded
 * database. The first attempt is awaited at start; if the database is down, the app serves
 * anyway (not ready, 503 on data routes) and keeps retrying in the background, so it recovers
 * without a restart when the database appears.
 */
@Injectable()
export class DatabaseConnector implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(DatabaseConnector.name);
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    @Inject(AppConfig) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
  ) {}

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
        for (const subscriber of added) {
          if (!this.dataSource.subscribers.includes(subscriber)) {
            this.dataSource.subscribers.push(subscriber);
          }
        }
      }
      if (this.config.migrationsRun) {
        await this.dataSource.runMigrations({ transaction: 'each' });
      }
      if (this.config.embedded && (await seedDemoData(this.dataSource))) {
        this.logger.log('Loaded the demo data into the empty embedded database.');
      }
      return true;
    } catch (error) {
      this.logger.warn(
        `The database is not available yet: ${error instanceof Error ? error.message : String(error)}`,
      );
      if (this.dataSource.isInitialized) await this.dataSource.destroy().catch(() => undefined);
      return false;
    }
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
