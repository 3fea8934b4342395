import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { AuthContext } from '../auth';
import { AppException } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';
import { paginate } from '../common/pagination/cursor';
import { PAGE_DEFAULT } from '../common/pagination/page.query';
import { AppConfig } from '../config';
import { DatabaseService, type SqlExecutor } from '../database';
import { EventRelay } from '../events';
import { DeliveryStatus } from './delivery-queue.repository';
import type { CreateWebhookDto } from './dto/create-webhook.dto';
import {
  IssuedWebhookEndpointView,
  ListDeliveriesQuery,
  toWebhookEndpointView,
  WebhookDeliveryPage,
  WebhookDeliveryView,
  WebhookEndpointPage,
} from './dto/webhook.response';
import { WebhookDeliveriesRepository } from './webhook-deliveries.repository';
import { WebhookEndpointsRepository } from './webhook-endpoints.repository';
import { TargetRefusedError, WebhookTargets } from './webhook-targets';

/** Enough for every consumer an organization wires up; each one costs a row per event. */
export const MAX_ENDPOINTS_PER_ORGANIZATION = 20;
/** After a rotation, deliveries are signed with both secrets this long (receivers catch up). */
const PREVIOUS_SECRET_MS = 24 * 3600 * 1000;

/** `whsec_` + base64 of 32 random bytes, as Standard Webhooks writes a secret. */
const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

/** Administrators' webhook endpoints and deliveries, always within the session organization. */
@Injectable()
export class WebhooksService {
  private readonly retries: number;

  constructor(
    config: AppConfig,
    private readonly database: DatabaseService,
    private readonly endpoints: WebhookEndpointsRepository,
    private readonly deliveries: WebhookDeliveriesRepository,
    private readonly targets: WebhookTargets,
    private readonly relay: EventRelay,
  ) {
    this.retries = config.events.webhooks.retryScheduleSeconds.length;
  }

  async create(auth: AuthContext, body: CreateWebhookDto): Promise<IssuedWebhookEndpointView> {
    const organizationId = auth.session.organizationId;
    // The limit first: an organization at its limit makes no lookup of a name it chose.
    await this.refuseOverLimit(this.database, organizationId);
    const url = await this.checkedUrl(body.url);
    const secret = newSecret();
    const endpoint = await this.database.transaction(async (executor) => {
      // Again in the transaction: two registrations racing past the first check.
      await this.refuseOverLimit(executor, organizationId);
      return this.endpoints.insert(executor, {
        organizationId,
        url: url.href,
        events: body.events.includes('*') ? ['*'] : body.events,
        description: body.description ?? null,
        secret,
        createdAt: new Date(),
      });
    });
    return { ...toWebhookEndpointView(endpoint), secret };
  }

  list(
    auth: AuthContext,
    query: { cursor?: string; limit?: number },
  ): Promise<WebhookEndpointPage> {
    return paginate(
      query,
      PAGE_DEFAULT,
      ({ cursorId, limit }) =>
        this.endpoints.list(auth.session.organizationId, { beforeId: cursorId, limit }),
      toWebhookEndpointView,
    );
  }

  async remove(auth: AuthContext, endpointId: number): Promise<void> {
    const deleted = await this.database.transaction((executor) =>
      this.endpoints.delete(executor, auth.session.organizationId, endpointId),
    );
    if (!deleted) throw endpointNotFound();
  }

  async rotateSecret(auth: AuthContext, endpointId: number): Promise<IssuedWebhookEndpointView> {
    const secret = newSecret();
    const endpoint = await this.database.transaction(async (executor) => {
      const found = await this.endpoints.find(executor, auth.session.organizationId, endpointId, {
        lock: true,
      });
      if (found === null) throw endpointNotFound();
      const now = new Date();
      await this.endpoints.rotateSecret(
        executor,
        found,
        secret,
        now,
        new Date(now.getTime() + PREVIOUS_SECRET_MS),
      );
      return found;
    });
    return { ...toWebhookEndpointView(endpoint), secret };
  }

  async listDeliveries(
    auth: AuthContext,
    endpointId: number,
    query: ListDeliveriesQuery,
  ): Promise<WebhookDeliveryPage> {
    const organizationId = auth.session.organizationId;
    if ((await this.endpoints.find(this.database, organizationId, endpointId)) === null) {
      throw endpointNotFound();
    }
    return paginate(
      query,
      PAGE_DEFAULT,
      ({ cursorId, limit }) =>
        this.deliveries.list(organizationId, endpointId, {
          status: query.status,
          beforeId: cursorId,
          limit,
        }),
      (delivery) => delivery,
    );
  }

  /**
   * A failed delivery, queued again for one attempt. The endpoint is enabled again if it was
   * disabled: an administrator retrying by hand says the receiver is back.
   */
  async retry(
    auth: AuthContext,
    endpointId: number,
    deliveryId: number,
  ): Promise<WebhookDeliveryView> {
    const organizationId = auth.session.organizationId;
    const delivery = await this.database.transaction(async (executor) => {
      const endpoint = await this.endpoints.find(executor, organizationId, endpointId, {
        lock: true,
      });
      if (endpoint === null) throw endpointNotFound();
      const found = await this.deliveries.find(executor, organizationId, endpointId, deliveryId, {
        lock: true,
      });
      if (found === null) {
        throw new AppException(
          ErrorCode.WEBHOOK_DELIVERY_NOT_FOUND,
          'This endpoint has no delivery with that id.',
        );
      }
      if (found.status !== DeliveryStatus.Failed) {
        throw new AppException(
          ErrorCode.WEBHOOK_DELIVERY_NOT_FAILED,
          `The delivery is ${found.status}: only a failed one can be retried.`,
        );
      }
      const now = new Date();
      if (!endpoint.enabled) await this.endpoints.enable(executor, endpoint, now);
      await this.deliveries.requeue(executor, deliveryId, this.retries, now);
      return {
        ...found,
        status: DeliveryStatus.Pending,
        nextAttemptAt: now.toISOString(),
      };
    });
    this.relay.wake();
    return delivery;
  }

  private async refuseOverLimit(executor: SqlExecutor, organizationId: number): Promise<void> {
    if ((await this.endpoints.count(executor, organizationId)) >= MAX_ENDPOINTS_PER_ORGANIZATION) {
      throw new AppException(
        ErrorCode.WEBHOOK_LIMIT_REACHED,
        `An organization has at most ${MAX_ENDPOINTS_PER_ORGANIZATION} webhook endpoints: delete one first.`,
      );
    }
  }

  private async checkedUrl(raw: string): Promise<URL> {
    try {
      return await this.targets.checkUrl(raw);
    } catch (error) {
      if (!(error instanceof TargetRefusedError)) throw error;
      throw new AppException(
        ErrorCode.WEBHOOK_URL_REFUSED,
        `No webhook goes there: the URL ${error.message}.`,
        {
          errors: [{ field: 'url', message: error.message }],
        },
      );
    }
  }
}

function endpointNotFound(): AppException {
  return new AppException(
    ErrorCode.WEBHOOK_NOT_FOUND,
    'The session organization has no webhook endpoint with that id.',
  );
}
