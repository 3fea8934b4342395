import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import type { AuthContext } from '../auth';
import { Authenticated } from '../auth';
import { CurrentAuth } from '../auth';
import { PageQuery } from '../common/pagination/page.query';
import { ApiProblems } from '../common/swagger/api-problems.decorator';
import { IdPipe } from '../common/validation/id.pipe';
import { MAX_SAFE_ID } from '../common/validation/validators';
import { CreateWebhookDto } from './dto/create-webhook.dto';
import {
  IssuedWebhookEndpointEnvelope,
  ListDeliveriesQuery,
  WebhookDeliveryEnvelope,
  WebhookDeliveryPage,
  WebhookEndpointPage,
} from './dto/webhook.response';
import { WebhooksService } from './webhooks.service';

const ID_SCHEMA = { type: 'integer', minimum: 1, maximum: MAX_SAFE_ID } as const;
const WEBHOOK_ID = ApiParam({
  name: 'webhookId',
  schema: ID_SCHEMA,
  description: 'A webhook endpoint of the session organization.',
});
const NO_WEBHOOK: [number, string] = [404, 'WEBHOOK_NOT_FOUND: no endpoint of this organization.'];

@ApiTags('webhooks')
@Controller('users-organizations/v1/rs/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @Authenticated({ administrator: true })
  @ApiOperation({
    summary: 'Register a webhook endpoint',
    description:
      "Deliveries of the session organization's events, signed per Standard Webhooks " +
      '(`webhook-id`, `webhook-timestamp`, `webhook-signature`), at least once, in order, retried ' +
      'over about a day. The signing secret is in this response only.',
  })
  @ApiCreatedResponse({ type: IssuedWebhookEndpointEnvelope, description: 'Registered.' })
  @ApiProblems(
    [400, 'Bad input, or WEBHOOK_URL_REFUSED: not https in production, or not a public address.'],
    [409, 'WEBHOOK_LIMIT_REACHED: the organization has 20 endpoints.'],
    413,
    415,
  )
  async create(
    @CurrentAuth() auth: AuthContext,
    @Body() body: CreateWebhookDto,
  ): Promise<IssuedWebhookEndpointEnvelope> {
    return { data: await this.webhooks.create(auth, body) };
  }

  @Get()
  @Authenticated({ administrator: true })
  @ApiOperation({ summary: 'List webhook endpoints', description: 'Newest first, no secrets.' })
  @ApiOkResponse({ type: WebhookEndpointPage })
  @ApiProblems(400)
  list(@CurrentAuth() auth: AuthContext, @Query() query: PageQuery): Promise<WebhookEndpointPage> {
    return this.webhooks.list(auth, query);
  }

  @Delete(':webhookId')
  @HttpCode(204)
  @Authenticated({ administrator: true })
  @ApiOperation({ summary: 'Delete a webhook endpoint', description: 'With its deliveries.' })
  @WEBHOOK_ID
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiProblems(400, NO_WEBHOOK)
  async remove(
    @CurrentAuth() auth: AuthContext,
    @Param('webhookId', IdPipe) webhookId: number,
  ): Promise<void> {
    await this.webhooks.remove(auth, webhookId);
  }

  @Post(':webhookId/rotate-secret')
  @HttpCode(200)
  @Authenticated({ administrator: true })
  @ApiOperation({
    summary: "Rotate an endpoint's signing secret",
    description:
      'A new secret, in this response only. For 24 hours deliveries carry a signature with ' +
      'each secret, so the receiver can switch without missing one.',
  })
  @WEBHOOK_ID
  @ApiOkResponse({ type: IssuedWebhookEndpointEnvelope })
  @ApiProblems(400, NO_WEBHOOK)
  async rotateSecret(
    @CurrentAuth() auth: AuthContext,
    @Param('webhookId', IdPipe) webhookId: number,
  ): Promise<IssuedWebhookEndpointEnvelope> {
    return { data: await this.webhooks.rotateSecret(auth, webhookId) };
  }

  @Get(':webhookId/deliveries')
  @Authenticated({ administrator: true })
  @ApiOperation({
    summary: "List an endpoint's deliveries",
    description: 'Newest first, each with every attempt (status code, duration, error).',
  })
  @WEBHOOK_ID
  @ApiOkResponse({ type: WebhookDeliveryPage })
  @ApiProblems(400, NO_WEBHOOK)
  listDeliveries(
    @CurrentAuth() auth: AuthContext,
    @Param('webhookId', IdPipe) webhookId: number,
    @Query() query: ListDeliveriesQuery,
  ): Promise<WebhookDeliveryPage> {
    return this.webhooks.listDeliveries(auth, webhookId, query);
  }

  @Post(':webhookId/deliveries/:deliveryId/retry')
  @HttpCode(202)
  @Authenticated({ administrator: true })
  @ApiOperation({
    summary: 'Retry a failed delivery',
    description:
      'One more attempt, made at once. A disabled endpoint is enabled again by this: retrying ' +
      'by hand says its receiver is back.',
  })
  @WEBHOOK_ID
  @ApiParam({ name: 'deliveryId', schema: ID_SCHEMA })
  @ApiAcceptedResponse({ type: WebhookDeliveryEnvelope, description: 'Queued for one attempt.' })
  @ApiProblems(
    400,
    [404, 'WEBHOOK_NOT_FOUND or WEBHOOK_DELIVERY_NOT_FOUND.'],
    [409, 'WEBHOOK_DELIVERY_NOT_FAILED: the delivery is pending or succeeded.'],
  )
  async retry(
    @CurrentAuth() auth: AuthContext,
    @Param('webhookId', IdPipe) webhookId: number,
    @Param('deliveryId', IdPipe) deliveryId: number,
  ): Promise<WebhookDeliveryEnvelope> {
    return { data: await this.webhooks.retry(auth, webhookId, deliveryId) };
  }
}
