import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';

/** Readiness turns false as soon as shutdown begins, so balancers stop sending new requests. */
@Injectable()
export class ShutdownState implements BeforeApplicationShutdown {
  private shuttingDown = false;

  constructor(private readonly indicators: HealthIndicatorService) {}

  beforeApplicationShutdown(): void {
    this.shuttingDown = true;
  }

  check(key: string): HealthIndicatorResult {
    const indicator = this.indicators.check(key);
    return this.shuttingDown ? indicator.down({ reason: 'shutting down' }) : indicator.up();
  }
}
