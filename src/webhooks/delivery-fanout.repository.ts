import { Injectable } from '@nestjs/common';
import { fromDatabaseTimestamp, toDatabaseTimestamp } from '../database';
import type { SqlExecutor } from '../database';
import { inLists, PendingEvent, rowChunks, RelayDatabase, valueRows } from '../events';
import { DeliveryStatus } from './delivery-queue.repository';
import type { AttemptResult } from './webhook-sender';
import { signingSecrets } from './webhook-signer';

type Timestamp = Date | string;

/** An enabled endpoint as the fan-out routes events to it. */
export interface RoutedEndpoint {
  id: number;
  organizationId: number;
  events: string[];
  createdAt: Date;
}

/** An endpoint as an inline delivery needs it: where, signed with what, and its queue's state. */
export interface InlineEndpoint extends RoutedEndpoint {
  url: string;
  secrets: string[];
  failingSince: Date | null;
  /** It has pending deliveries: a new event waits behind them (order per endpoint). */
  queued: boolean;
}

/** An attempt made inline, before the delivery's row exists. */
export interface InlineAttempt {
  result: AttemptResult;
  /** Null: the delivery succeeded or is given up. */
  nextAttemptAt: Date | null;
}

/** The key of one delivery (an event for an endpoint) before its row exists. */
export const deliveryKey = (endpointId: number, auditId: number) => `${endpointId}:${auditId}`;

/**
 * Which endpoints get an event: those of its organization whose filter matches, registered no
 * later than the change (an endpoint registered after it gets none of it).
 */
export function routes(endpoint: RoutedEndpoint, event: PendingEvent): boolean {
  return (
    endpoint.organizationId === event.organizationId &&
    endpoint.createdAt <= event.createdAt &&
    (endpoint.events.includes('*') || endpoint.events.includes(event.type))
  );
}

interface EndpointRow {
  id: number | string;
  organizationId: number | string;
  events: string;
  createdAt: Timestamp;
}

function routedEndpoint(row: EndpointRow): RoutedEndpoint {
  return {
    id: Number(row.id),
    organizationId: Number(row.organizationId),
    events: JSON.parse(row.events) as string[],
    createdAt: fromDatabaseTimestamp(row.createdAt) as Date,
  };
}

const organizationsOf = (events: PendingEvent[]) => [
  ...new Set(events.map((event) => event.organizationId)),
];

/** The relay's fan-out of events to webhook deliveries, with what was delivered inline. */
@Injectable()
export class DeliveryFanoutRepository {
  constructor(private readonly database: RelayDatabase) {}

  /**
   * The enabled endpoints of these events' organizations, with their secrets and whether their
   * queue holds pending deliveries; read before the relay's transaction, to deliver inline.
   */
  async inlineEndpoints(events: PendingEvent[]): Promise<InlineEndpoint[]> {
    const endpoints: InlineEndpoint[] = [];
    const now = new Date();
    for (const ids of inLists(organizationsOf(events))) {
      const rows = await this.database.query<
        EndpointRow & {
          url: string;
          secret: string;
          previousSecret: string | null;
          previousSecretExpiresAt: Timestamp | null;
          failingSince: Timestamp | null;
          queued: number | string;
        }
      >(
        'SELECT e.`id`, e.`organizationId`, e.`events`, e.`createdAt`, e.`url`, e.`secret`, ' +
          'e.`previousSecret`, e.`previousSecretExpiresAt`, e.`failingSince`, ' +
          'EXISTS (SELECT 1 FROM `webhook_deliveries` d ' +
          "WHERE d.`status` = 'pending' AND d.`endpointId` = e.`id`) AS `queued` " +
          'FROM `webhook_endpoints` e WHERE e.`enabled` = 1 AND e.`organizationId` IN ' +
          ids.sql,
        ids.parameters,
      );
      for (const row of rows) {
        endpoints.push({
          ...routedEndpoint(row),
          url: row.url,
          secrets: signingSecrets(row, now),
          failingSince: fromDatabaseTimestamp(row.failingSince),
          queued: Number(row.queued) !== 0,
        });
      }
    }
    return endpoints;
  }

  /**
   * One delivery per event and enabled endpoint it routes to, inserted in event order (so that
   * delivery ids keep the events' order per endpoint): in the state an inline attempt left it
   * (`attempted`), else pending and due now. Returns the ids of the deliveries of `attempted`
   * and of `tracked` (sends still in flight), by deliveryKey, and how many were left pending.
   */
  async enqueue(
    executor: SqlExecutor,
    events: PendingEvent[],
    now: Date,
    attempted: Map<string, InlineAttempt> = new Map(),
    tracked: Set<string> = new Set(),
  ): Promise<{ ids: Map<string, number>; pending: number }> {
    // Read locked: an endpoint deleted since the inline attempts (a receiver's answer can come
    // before its administrator deletes it) is not seen, rather than failing its deliveries' FK.
    const endpoints: RoutedEndpoint[] = [];
    for (const ids of inLists(organizationsOf(events))) {
      const rows = await executor.query<EndpointRow>(
        'SELECT `id`, `organizationId`, `events`, `createdAt` FROM `webhook_endpoints` ' +
          'WHERE `enabled` = 1 AND `organizationId` IN ' +
          ids.sql +
          executor.forShare,
        ids.parameters,
      );
      endpoints.push(...rows.map(routedEndpoint));
    }
    const keyed = new Map<string, number>();
    if (endpoints.length === 0) return { ids: keyed, pending: 0 };
    const at = toDatabaseTimestamp(now);
    const rows: (string | number | null)[][] = [];
    const wanted = new Set<number>();
    for (const event of events) {
      for (const endpoint of endpoints) {
        if (!routes(endpoint, event)) continue;
        const key = deliveryKey(endpoint.id, event.auditId);
        const attempt = attempted.get(key);
        if (attempt !== undefined || tracked.has(key)) wanted.add(event.auditId);
        rows.push(
          attempt === undefined
            ? [endpoint.id, event.auditId, DeliveryStatus.Pending, 0, at, null, at, at]
            : [
                endpoint.id,
                event.auditId,
                attempt.result.outcome === 'succeeded'
                  ? DeliveryStatus.Succeeded
                  : attempt.nextAttemptAt === null
                    ? DeliveryStatus.Failed
                    : DeliveryStatus.Pending,
                1,
                toDatabaseTimestamp(attempt.nextAttemptAt ?? attempt.result.attemptedAt),
                toDatabaseTimestamp(attempt.result.attemptedAt),
                at,
                at,
              ],
        );
      }
    }
    for (const chunk of rowChunks(rows)) {
      await executor.execute(
        'INSERT INTO `webhook_deliveries` (`endpointId`, `auditEventId`, `status`, `attempts`, ' +
          '`nextAttemptAt`, `lastAttemptAt`, `createdAt`, `updatedAt`) VALUES ' +
          valueRows(chunk.length, 8),
        chunk.flat(),
      );
    }
    // Their ids, read back: this transaction is the only one inserting deliveries of these events.
    for (const ids of inLists([...wanted])) {
      const found = await executor.query<{
        id: number | string;
        endpointId: number | string;
        auditEventId: number | string;
      }>(
        'SELECT `id`, `endpointId`, `auditEventId` FROM `webhook_deliveries` WHERE `auditEventId` IN ' +
          ids.sql,
        ids.parameters,
      );
      for (const row of found) {
        keyed.set(deliveryKey(Number(row.endpointId), Number(row.auditEventId)), Number(row.id));
      }
    }
    return { ids: keyed, pending: rows.filter((row) => row[2] === DeliveryStatus.Pending).length };
  }
}
