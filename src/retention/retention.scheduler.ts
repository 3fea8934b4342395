import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { AppConfig } from '../config';
import { RetentionService } from './retention.service';

export const RETENTION_JOB = 'retention-purge';

/**
 * Runs the purge on RETENTION_SCHEDULE (UTC) in every instance; the lock lets one of them
 * work and the others skip that turn. Registered at start because the expression is
 * configuration, which a @Cron() decorator cannot read.
 */
@Injectable()
export class RetentionScheduler implements OnApplicationBootstrap {
  private readonly logger = new Logger(RetentionScheduler.name);

  constructor(
    private readonly config: AppConfig,
    private readonly retention: RetentionService,
    private readonly scheduler: SchedulerRegistry,
  ) {}

  onApplicationBootstrap(): void {
    const schedule = this.config.retention.schedule;
    if (schedule === null) return;
    const job = CronJob.from({
      cronTime: schedule,
      onTick: () => this.run(),
      timeZone: 'UTC',
      // A tick that comes while the previous purge still runs is skipped, not queued.
      waitForCompletion: true,
    });
    this.scheduler.addCronJob(RETENTION_JOB, job);
    job.start();
  }

  private async run(): Promise<void> {
    try {
      await this.retention.purge();
    } catch (error) {
      this.logger.warn(`The purge failed; the next one retries: ${String(error)}`);
    }
  }
}
