import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EventsModule } from '../events';
import { DeliveryFanoutRepository } from './delivery-fanout.repository';
import { DeliveryQueueRepository } from './delivery-queue.repository';
import { WebhookDeliveryAttemptEntity } from './entities/webhook-delivery-attempt.entity';
import { WebhookDeliveryEntity } from './entities/webhook-delivery.entity';
import { WebhookEndpointEntity } from './entities/webhook-endpoint.entity';
import { HostResolver } from './host-resolver';
import { WebhookDeliveriesRepository } from './webhook-deliveries.repository';
import { WebhookDispatcher } from './webhook-dispatcher';
import { WebhookEndpointsRepository } from './webhook-endpoints.repository';
import { WebhookSender } from './webhook-sender';
import { WebhookTargets } from './webhook-targets';
import { WebhooksController } from './webhooks.controller';
import { WebhooksService } from './webhooks.service';

/**
 * Signed webhooks (DESIGN 11): administrators' endpoints, and the deliveries the event relay
 * fans out to them. Depends on EventsModule (it registers its dispatcher as a sink there);
 * nothing depends on it.
 */
@Module({
  imports: [
    EventsModule,
    TypeOrmModule.forFeature([
      WebhookEndpointEntity,
      WebhookDeliveryEntity,
      WebhookDeliveryAttemptEntity,
    ]),
  ],
  controllers: [WebhooksController],
  providers: [
    HostResolver,
    WebhookTargets,
    WebhookSender,
    WebhookEndpointsRepository,
    WebhookDeliveriesRepository,
    DeliveryQueueRepository,
    DeliveryFanoutRepository,
    WebhookDispatcher,
    WebhooksService,
  ],
})
export class WebhooksModule {}
