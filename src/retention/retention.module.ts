import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { RetentionScheduler } from './retention.scheduler';
import { RetentionService } from './retention.service';

/** Retention (DESIGN 12): the purge, on a schedule; `npm run purge` runs it once. */
@Module({
  imports: [ScheduleModule.forRoot()],
  providers: [RetentionService, RetentionScheduler],
  exports: [RetentionService],
})
export class RetentionModule {}
