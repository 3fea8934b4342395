import { Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { BrokerQueueEntity } from './entities/broker-queue.entity';
import { RelayLeaseEntity } from './entities/relay-lease.entity';
import { EventMetrics } from './event-metrics';
import { EventRelay } from './event-relay';
import { NatsPublisher } from './nats-publisher';
import { RelayDatabase } from './relay-database';
import { RelayLease } from './relay-lease';
import { RelayWake } from './relay-wake';

/**
 * The events' way out of the process (DESIGN 11): the outbox relay over the audit trail, its
 * lease, and NATS JetStream publishing. Other sinks (webhooks) import this module and register
 * with EventRelay; this module knows nothing of them.
 */
@Module({
  imports: [TypeOrmModule.forFeature([RelayLeaseEntity, BrokerQueueEntity])],
  providers: [RelayDatabase, RelayLease, RelayWake, EventRelay, EventMetrics, NatsPublisher],
  exports: [RelayDatabase, RelayLease, EventRelay, EventMetrics],
})
export class EventsModule implements OnModuleInit {
  constructor(
    private readonly relay: EventRelay,
    private readonly nats: NatsPublisher,
  ) {}

  onModuleInit(): void {
    if (this.nats.enabled) this.relay.register(this.nats);
  }
}
