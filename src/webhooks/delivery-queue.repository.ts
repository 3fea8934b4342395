import { Injectable } from '@nestjs/common';
import { fromDatabaseTimestamp, toDatabaseTimestamp } from '../database';
import type { SqlExecutor } from '../database';
import {
  byPrimaryKey,
  ENVELOPE_COLUMNS,
  EnvelopeRow,
  inList,
  inLists,
  OutboxEvent,
  outboxEvent,
  rowChunks,
  RelayDatabase,
  valueRows,
} from '../events';
import type { AttemptResult } from './webhook-sender';
import { signingSecrets } from './webhook-signer';

export enum DeliveryStatus {
  Pending = 'pending',
  Succeeded = 'succeeded',
  Failed = 'failed',
}

/** A pending delivery with what sending it takes. */
export interface QueuedDelivery {
  id: number;
  endpointId: number;
  /** Attempts made since it was (re)queued: where it stands in the retry schedule. */
  attempts: number;
  url: string;
  secrets: string[];
  endpointFailingSince: Date | null;
  event: OutboxEvent;
}

/** The outcome of one attempt, to be recorded with the delivery's next state. */
export interface RecordedAttempt {
  delivery: QueuedDelivery;
  result: AttemptResult;
  /** Null: the delivery succeeded or is given up. */
  nextAttemptAt: Date | null;
}

type Timestamp = Date | string;

interface QueuedRow extends EnvelopeRow {
  deliveryId: number | string;
  endpointId: number | string;
  attempts: number | string;
  url: string;
  secret: string;
  previousSecret: string | null;
  previousSecretExpiresAt: Timestamp | null;
  failingSince: Timestamp | null;
}

/** The relay's side of webhook deliveries: fan-out, queue heads, and attempts' outcomes. */
@Injectable()
export class DeliveryQueueRepository {
  constructor(private readonly database: RelayDatabase) {}

  /**
   * The endpoints whose oldest pending delivery is due: the head of each endpoint's queue
   * (order is kept per endpoint, so nothing behind a head waiting for its retry may go).
   */
  async dueEndpoints(now: Date): Promise<number[]> {
    const rows = await this.database.query<{ endpointId: number | string }>(
      'SELECT d.`endpointId` FROM `webhook_deliveries` d JOIN (' +
        'SELECT `endpointId`, MIN(`id`) AS `headId` FROM `webhook_deliveries` ' +
        "WHERE `status` = 'pending' GROUP BY `endpointId`) h ON h.`headId` = d.`id` " +
        'WHERE d.`nextAttemptAt` <= ?',
      [toDatabaseTimestamp(now)],
    );
    return rows.map((row) => Number(row.endpointId));
  }

  /**
   * The first pending deliveries of these endpoints, oldest first, with their events. The queue
   * heads are chosen and ordered in a derived table of the queue index alone, then joined: an
   * ORDER BY over the joined rows made the server sort the events' texts with them: 20-40 µs
   * of its CPU per delivery, against about 10 this way (batches of 80 deliveries, 16,000 a round).
   */
  async pending(endpointIds: number[], limit: number): Promise<QueuedDelivery[]> {
    const ids = inList(endpointIds);
    const rows = await this.database.query<QueuedRow>(
      'SELECT d.`id` AS `deliveryId`, d.`endpointId`, d.`attempts`, e.`url`, e.`secret`, ' +
        'e.`previousSecret`, e.`previousSecretExpiresAt`, e.`failingSince`, ' +
        ENVELOPE_COLUMNS +
        ' FROM (SELECT `id`, `endpointId`, `attempts`, `auditEventId` FROM `webhook_deliveries` ' +
        "WHERE `status` = 'pending' AND `endpointId` IN " +
        ids.sql +
        ' ORDER BY `id` LIMIT ' +
        String(limit) +
        ') d JOIN `webhook_endpoints` e ON e.`id` = d.`endpointId` ' +
        'JOIN `audit_events` a ON a.`id` = d.`auditEventId`',
      ids.parameters,
    );
    rows.sort((a, b) => Number(a.deliveryId) - Number(b.deliveryId));
    const now = new Date();
    return rows.map((row) => {
      return {
        id: Number(row.deliveryId),
        endpointId: Number(row.endpointId),
        attempts: Number(row.attempts),
        url: row.url,
        secrets: signingSecrets(row, now),
        endpointFailingSince: fromDatabaseTimestamp(row.failingSince),
        event: outboxEvent(row),
      };
    });
  }

  /**
   * Records attempts and the deliveries' new states. Deliveries deleted meanwhile (their
   * endpoint was) are skipped: their rows are locked first, so a deletion cannot slip in.
   */
  async record(executor: SqlExecutor, attempts: RecordedAttempt[]): Promise<Set<number>> {
    const present = new Set<number>();
    for (const ids of inLists(attempts.map((attempt) => attempt.delivery.id))) {
      const rows = await executor.query<{ id: number | string }>(
        'SELECT `id` FROM `webhook_deliveries`' +
          byPrimaryKey(executor.engine) +
          ' WHERE `id` IN ' +
          ids.sql +
          executor.forUpdate,
        ids.parameters,
      );
      for (const row of rows) present.add(Number(row.id));
    }
    const kept = attempts.filter((attempt) => present.has(attempt.delivery.id));
    await insertAttempts(
      executor,
      kept.map(({ delivery, result }) => ({ deliveryId: delivery.id, result })),
    );
    const now = toDatabaseTimestamp(new Date());
    const succeeded = kept.filter(({ result }) => result.outcome === 'succeeded');
    for (const ids of inLists(succeeded.map(({ delivery }) => delivery.id))) {
      await executor.execute(
        'UPDATE `webhook_deliveries`' +
          byPrimaryKey(executor.engine) +
          " SET `status` = 'succeeded', `attempts` = `attempts` + 1, " +
          '`lastAttemptAt` = ?, `updatedAt` = ? WHERE `id` IN ' +
          ids.sql,
        [now, now, ...ids.parameters],
      );
    }
    for (const { delivery, result, nextAttemptAt } of kept) {
      if (result.outcome === 'succeeded') continue;
      await executor.execute(
        'UPDATE `webhook_deliveries` SET `status` = ?, `attempts` = `attempts` + 1, ' +
          '`nextAttemptAt` = ?, `lastAttemptAt` = ?, `updatedAt` = ? WHERE `id` = ?',
        [
          nextAttemptAt === null ? DeliveryStatus.Failed : DeliveryStatus.Pending,
          toDatabaseTimestamp(nextAttemptAt ?? result.attemptedAt),
          toDatabaseTimestamp(result.attemptedAt),
          now,
          delivery.id,
        ],
      );
    }
    return present;
  }

  /** A success ends an endpoint's failing streak. */
  async clearFailing(executor: SqlExecutor, endpointIds: number[]): Promise<void> {
    for (const ids of inLists(endpointIds)) {
      await executor.execute(
        'UPDATE `webhook_endpoints`' +
          byPrimaryKey(executor.engine) +
          ' SET `failingSince` = NULL WHERE `id` IN ' +
          ids.sql,
        ids.parameters,
      );
    }
  }

  /**
   * A failure starts a streak (or continues it); a streak older than `disableAfterMs` disables
   * the endpoint and fails its pending deliveries. True when it was disabled now.
   */
  async markFailing(
    executor: SqlExecutor,
    endpointId: number,
    now: Date,
    disableAfterMs: number,
  ): Promise<boolean> {
    const at = toDatabaseTimestamp(now);
    await executor.execute(
      'UPDATE `webhook_endpoints` SET `failingSince` = COALESCE(`failingSince`, ?) WHERE `id` = ?',
      [at, endpointId],
    );
    const disabled = await executor.execute(
      'UPDATE `webhook_endpoints` SET `enabled` = 0, `disabledAt` = ?, `updatedAt` = ? ' +
        'WHERE `id` = ? AND `enabled` = 1 AND `failingSince` <= ?',
      [at, at, endpointId, toDatabaseTimestamp(new Date(now.getTime() - disableAfterMs))],
    );
    if (disabled === 0) return false;
    await executor.execute(
      "UPDATE `webhook_deliveries` SET `status` = 'failed', `updatedAt` = ? " +
        "WHERE `endpointId` = ? AND `status` = 'pending'",
      [at, endpointId],
    );
    return true;
  }
}

/** One row per attempt made: what the administrators read in a delivery's history. */
export async function insertAttempts(
  executor: SqlExecutor,
  attempts: { deliveryId: number; result: AttemptResult }[],
): Promise<void> {
  for (const chunk of rowChunks(attempts)) {
    await executor.execute(
      'INSERT INTO `webhook_delivery_attempts` (`deliveryId`, `attemptedAt`, `durationMs`, ' +
        '`responseStatus`, `outcome`, `error`, `responseBody`) VALUES ' +
        valueRows(chunk.length, 7),
      chunk.flatMap(({ deliveryId, result }) => [
        deliveryId,
        toDatabaseTimestamp(result.attemptedAt),
        result.durationMs,
        result.responseStatus,
        result.outcome === 'succeeded' ? 'succeeded' : 'failed',
        result.error?.slice(0, 500) ?? null,
        result.responseBody,
      ]),
    );
  }
}
