import { Injectable } from '@nestjs/common';
import { fromDatabaseTimestamp, toDatabaseTimestamp } from '../database';
import { DatabaseService, SqlExecutor, SqlParameter } from '../database';
import { inLists } from '../events';
import { DeliveryStatus } from './delivery-queue.repository';
import type { WebhookAttemptView, WebhookDeliveryView } from './dto/webhook.response';

type Timestamp = Date | string;

interface DeliveryRow {
  id: number | string;
  eventId: string;
  action: string;
  status: DeliveryStatus;
  nextAttemptAt: Timestamp;
  createdAt: Timestamp;
}

interface AttemptRow {
  deliveryId: number | string;
  attemptedAt: Timestamp;
  durationMs: number | string;
  responseStatus: number | string | null;
  outcome: 'succeeded' | 'failed';
  error: string | null;
  responseBody: string | null;
}

const iso = (value: Timestamp) => (fromDatabaseTimestamp(value) as Date).toISOString();

/**
 * Deliveries as administrators see them, always through their endpoint's organization: a
 * delivery of another organization's endpoint is simply not found.
 */
@Injectable()
export class WebhookDeliveriesRepository {
  constructor(private readonly database: DatabaseService) {}

  /** Newest first, keyset-paginated by id, each with its attempts. */
  async list(
    organizationId: number,
    endpointId: number,
    filters: { status?: DeliveryStatus; beforeId?: number; limit: number },
  ): Promise<WebhookDeliveryView[]> {
    const values: SqlParameter[] = [organizationId, endpointId];
    let conditions = '';
    if (filters.status !== undefined) {
      conditions += ' AND d.`status` = ?';
      values.push(filters.status);
    }
    if (filters.beforeId !== undefined) {
      conditions += ' AND d.`id` < ?';
      values.push(filters.beforeId);
    }
    const rows = await this.database.query<DeliveryRow>(
      this.select() + conditions + ' ORDER BY d.`id` DESC LIMIT ?',
      [...values, filters.limit],
    );
    return this.withAttempts(this.database, rows);
  }

  async find(
    executor: SqlExecutor,
    organizationId: number,
    endpointId: number,
    deliveryId: number,
    options: { lock?: boolean } = {},
  ): Promise<WebhookDeliveryView | null> {
    const rows = await executor.query<DeliveryRow>(
      this.select() + ' AND d.`id` = ?' + (options.lock ? executor.forUpdate : ''),
      [organizationId, endpointId, deliveryId],
    );
    if (rows.length === 0) return null;
    return (await this.withAttempts(executor, rows))[0];
  }

  /**
   * Back in the queue, due now, for one more attempt: `attempts` set to the schedule's
   * length, so that a failure fails it again instead of starting a day of retries.
   */
  async requeue(executor: SqlExecutor, deliveryId: number, attempts: number, now: Date) {
    const at = toDatabaseTimestamp(now);
    await executor.execute(
      "UPDATE `webhook_deliveries` SET `status` = 'pending', `attempts` = ?, `nextAttemptAt` = ?, " +
        '`updatedAt` = ? WHERE `id` = ?',
      [attempts, at, at, deliveryId],
    );
  }

  private select(): string {
    return (
      'SELECT d.`id`, a.`eventId`, a.`action`, d.`status`, d.`nextAttemptAt`, d.`createdAt` ' +
      'FROM `webhook_deliveries` d JOIN `webhook_endpoints` e ON e.`id` = d.`endpointId` ' +
      'JOIN `audit_events` a ON a.`id` = d.`auditEventId` ' +
      'WHERE e.`organizationId` = ? AND d.`endpointId` = ?'
    );
  }

  private async withAttempts(
    executor: SqlExecutor,
    rows: DeliveryRow[],
  ): Promise<WebhookDeliveryView[]> {
    const attempts = new Map<number, WebhookAttemptView[]>();
    for (const ids of inLists(rows.map((row) => Number(row.id)))) {
      const found = await executor.query<AttemptRow>(
        'SELECT `deliveryId`, `attemptedAt`, `durationMs`, `responseStatus`, `outcome`, `error`, ' +
          '`responseBody` FROM `webhook_delivery_attempts` WHERE `deliveryId` IN ' +
          ids.sql +
          ' ORDER BY `id`',
        ids.parameters,
      );
      for (const row of found) {
        const list = attempts.get(Number(row.deliveryId)) ?? [];
        list.push({
          attemptedAt: iso(row.attemptedAt),
          durationMs: Number(row.durationMs),
          responseStatus: row.responseStatus === null ? null : Number(row.responseStatus),
          outcome: row.outcome,
          error: row.error,
          responseBody: row.responseBody,
        });
        attempts.set(Number(row.deliveryId), list);
      }
    }
    return rows.map((row) => ({
      id: Number(row.id),
      eventId: row.eventId,
      eventType: row.action,
      status: row.status,
      nextAttemptAt: row.status === DeliveryStatus.Pending ? iso(row.nextAttemptAt) : null,
      createdAt: iso(row.createdAt),
      attempts: attempts.get(Number(row.id)) ?? [],
    }));
  }
}
