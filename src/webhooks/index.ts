export { HostResolver } from './host-resolver';
export type { ResolvedAddress } from './host-resolver';
export { WebhookDeliveryEntity } from './entities/webhook-delivery.entity';
export { WebhookDeliveryAttemptEntity } from './entities/webhook-delivery-attempt.entity';
export { WebhookEndpointEntity } from './entities/webhook-endpoint.entity';
export { WebhooksModule } from './webhooks.module';
