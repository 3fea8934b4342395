import { Global, Module } from '@nestjs/common';
import { MetricsServer } from './metrics.server';
import { MetricsService } from './metrics.service';

/**
 * Prometheus metrics (DESIGN section 12). Global, so that any module can inject MetricsService
 * and register its own. The request metrics and the /metrics endpoint on the app's port are
 * mounted by create-app, as Express middleware.
 */
@Global()
@Module({
  providers: [MetricsService, MetricsServer],
  exports: [MetricsService],
})
export class MetricsModule {}
