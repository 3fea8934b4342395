import { ApiProperty } from '@nestjs/swagger';
import { PageQuery } from '../../common/pagination/page.query';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import type { WebhookEndpoint } from '../webhook-endpoints.repository';
import { DeliveryStatus } from '../delivery-queue.repository';
import { EVENT_FILTERS } from './create-webhook.dto';

const DATE_TIME = { type: 'string', format: 'date-time' } as const;

export class WebhookEndpointView {
  @ApiProperty({ type: 'integer', minimum: 1, example: 3 })
  id!: number;

  @ApiProperty({ example: 'https://roster.example/hooks/users-organizations' })
  url!: string;

  @ApiProperty({ type: 'string', isArray: true, enum: EVENT_FILTERS, example: ['*'] })
  events!: string[];

  @ApiProperty({ type: 'string', nullable: true, example: 'Roster sync' })
  description!: string | null;

  @ApiProperty({
    example: true,
    description: 'False once it failed for 3 days; retrying a delivery by hand enables it again.',
  })
  enabled!: boolean;

  @ApiProperty({
    ...DATE_TIME,
    nullable: true,
    example: null,
    description: 'Since when every attempt failed; null after a success.',
  })
  failingSince!: string | null;

  @ApiProperty({ ...DATE_TIME, nullable: true, example: null })
  disabledAt!: string | null;

  @ApiProperty({ ...DATE_TIME, example: '2026-11-30T09:30:00.000Z' })
  createdAt!: string;
}

/** With the signing secret: in the answers to creating and rotating only. */
export class IssuedWebhookEndpointView extends WebhookEndpointView {
  @ApiProperty({
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw2ml/GcTSW6A=',
    description:
      'The Standard Webhooks signing secret (`whsec_` + base64 of 32 random bytes). Shown once: ' +
      'store it where the receiver verifies signatures.',
  })
  secret!: string;
}

export class IssuedWebhookEndpointEnvelope {
  @ApiProperty({ type: () => IssuedWebhookEndpointView })
  data!: IssuedWebhookEndpointView;
}

export class WebhookEndpointPage {
  @ApiProperty({ type: () => WebhookEndpointView, isArray: true })
  data!: WebhookEndpointView[];

  @ApiProperty({ type: 'string', nullable: true, example: null })
  nextCursor!: string | null;
}

export class WebhookAttemptView {
  @ApiProperty({ ...DATE_TIME, example: '2026-11-30T09:30:00.120Z' })
  attemptedAt!: string;

  @ApiProperty({ type: 'integer', example: 42 })
  durationMs!: number;

  @ApiProperty({ type: 'integer', nullable: true, example: 200 })
  responseStatus!: number | null;

  @ApiProperty({ enum: ['succeeded', 'failed'], example: 'succeeded' })
  outcome!: 'succeeded' | 'failed';

  @ApiProperty({ type: 'string', nullable: true, example: null })
  error!: string | null;

  @ApiProperty({
    type: 'string',
    nullable: true,
    example: 'ok',
    description: 'The first 4 KB of what the receiver answered.',
  })
  responseBody!: string | null;
}

export class WebhookDeliveryView {
  @ApiProperty({ type: 'integer', minimum: 1, example: 81 })
  id!: number;

  @ApiProperty({ format: 'uuid', example: '019ad5a2-3c4e-7b21-9f3a-52c1e0d4a7b8' })
  eventId!: string;

  @ApiProperty({ example: 'membership.updated' })
  eventType!: string;

  @ApiProperty({ enum: DeliveryStatus, example: DeliveryStatus.Succeeded })
  status!: DeliveryStatus;

  @ApiProperty({
    ...DATE_TIME,
    nullable: true,
    example: null,
    description: 'When the next attempt is due; null unless pending.',
  })
  nextAttemptAt!: string | null;

  @ApiProperty({ ...DATE_TIME, example: '2026-11-30T09:30:00.100Z' })
  createdAt!: string;

  @ApiProperty({ type: () => WebhookAttemptView, isArray: true, description: 'Oldest first.' })
  attempts!: WebhookAttemptView[];
}

export class WebhookDeliveryEnvelope {
  @ApiProperty({ type: () => WebhookDeliveryView })
  data!: WebhookDeliveryView;
}

export class WebhookDeliveryPage {
  @ApiProperty({ type: () => WebhookDeliveryView, isArray: true })
  data!: WebhookDeliveryView[];

  @ApiProperty({ type: 'string', nullable: true, example: null })
  nextCursor!: string | null;
}

export class ListDeliveriesQuery extends PageQuery {
  @ApiPropertyOptional({ enum: DeliveryStatus, description: 'Only deliveries in this state.' })
  @IsOptional()
  @IsIn(Object.values(DeliveryStatus), {
    message: `must be one of ${Object.values(DeliveryStatus).join(', ')}`,
  })
  status?: DeliveryStatus;
}

export function toWebhookEndpointView(endpoint: WebhookEndpoint): WebhookEndpointView {
  return {
    id: endpoint.id,
    url: endpoint.url,
    events: endpoint.events,
    description: endpoint.description,
    enabled: endpoint.enabled,
    failingSince: endpoint.failingSince?.toISOString() ?? null,
    disabledAt: endpoint.disabledAt?.toISOString() ?? null,
    createdAt: endpoint.createdAt.toISOString(),
  };
}
