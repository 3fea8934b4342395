import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckResult, HealthCheckService } from '@nestjs/terminus';
import { NoRateLimit } from '../common/rate-limit/rate-limit.guards';
import { DatabasePing } from './database-ping';
import { ShutdownState } from './shutdown-state';

@ApiTags('health')
// Probes from load balancers and orchestrators must never be refused.
@NoRateLimit()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: DatabasePing,
    private readonly shutdown: ShutdownState,
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process answers' })
  @ApiOkResponse({ description: 'The process is alive.' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @HealthCheck()
  @ApiOperation({ summary: 'Readiness: the database answers and no shutdown is under way' })
  ready(): Promise<HealthCheckResult> {
    return this.health.check([
      () => this.shutdown.check('shutdown'),
      () => this.database.check('database'),
    ]);
  }
}
