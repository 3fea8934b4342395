import { Injectable } from '@nestjs/common';
import { fromDatabaseTimestamp, toDatabaseTimestamp } from '../database';
import { DatabaseService, SqlExecutor, SqlParameter } from '../database';

export interface WebhookEndpoint {
  id: number;
  organizationId: number;
  url: string;
  /** Event types, or `['*']` for all. */
  events: string[];
  description: string | null;
  enabled: boolean;
  /** Since when every attempt failed; null after a success. */
  failingSince: Date | null;
  disabledAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** What only deliveries see: the signing secrets. */
export interface EndpointSecrets {
  secret: string;
  previousSecret: string | null;
  previousSecretExpiresAt: Date | null;
}

type Timestamp = Date | string;

export interface EndpointRow {
  id: number | string;
  organizationId: number | string;
  url: string;
  events: string;
  description: string | null;
  enabled: number | boolean;
  failingSince: Timestamp | null;
  disabledAt: Timestamp | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
}

const COLUMNS =
  '`id`, `organizationId`, `url`, `events`, `description`, `enabled`, `failingSince`, ' +
  '`disabledAt`, `createdAt`, `updatedAt`';

export function toEndpoint(row: EndpointRow): WebhookEndpoint {
  return {
    id: Number(row.id),
    organizationId: Number(row.organizationId),
    url: row.url,
    events: JSON.parse(row.events) as string[],
    description: row.description,
    enabled: Boolean(Number(row.enabled)),
    failingSince: fromDatabaseTimestamp(row.failingSince),
    disabledAt: fromDatabaseTimestamp(row.disabledAt),
    createdAt: fromDatabaseTimestamp(row.createdAt) as Date,
    updatedAt: fromDatabaseTimestamp(row.updatedAt) as Date,
  };
}

export interface NewEndpoint {
  organizationId: number;
  url: string;
  events: string[];
  description: string | null;
  secret: string;
  createdAt: Date;
}

/**
 * Webhook endpoints of one organization: every method takes the organization id as a filter,
 * so another organization's endpoint is simply not found.
 */
@Injectable()
export class WebhookEndpointsRepository {
  constructor(private readonly database: DatabaseService) {}

  async insert(executor: SqlExecutor, endpoint: NewEndpoint): Promise<WebhookEndpoint> {
    const now = toDatabaseTimestamp(endpoint.createdAt);
    await executor.execute(
      'INSERT INTO `webhook_endpoints` (`organizationId`, `url`, `events`, `description`, ' +
        '`secret`, `enabled`, `createdAt`, `updatedAt`) VALUES (?, ?, ?, ?, ?, 1, ?, ?)',
      [
        endpoint.organizationId,
        endpoint.url,
        JSON.stringify(endpoint.events),
        endpoint.description,
        endpoint.secret,
        now,
        now,
      ],
    );
    // Read back by its secret, random and so unique: portable, unlike each driver's insert id.
    const rows = await executor.query<EndpointRow>(
      `SELECT ${COLUMNS} FROM \`webhook_endpoints\` WHERE \`organizationId\` = ? AND \`secret\` = ?`,
      [endpoint.organizationId, endpoint.secret],
    );
    return toEndpoint(rows[0]);
  }

  async count(executor: SqlExecutor, organizationId: number): Promise<number> {
    const [row] = await executor.query<{ total: number | string }>(
      'SELECT COUNT(*) AS `total` FROM `webhook_endpoints` WHERE `organizationId` = ?',
      [organizationId],
    );
    return Number(row.total);
  }

  /** Newest first, keyset-paginated by id. */
  async list(
    organizationId: number,
    page: { beforeId?: number; limit: number },
  ): Promise<WebhookEndpoint[]> {
    const values: SqlParameter[] = [organizationId];
    let condition = '';
    if (page.beforeId !== undefined) {
      condition = ' AND `id` < ?';
      values.push(page.beforeId);
    }
    const rows = await this.database.query<EndpointRow>(
      `SELECT ${COLUMNS} FROM \`webhook_endpoints\` WHERE \`organizationId\` = ?${condition} ORDER BY \`id\` DESC LIMIT ?`,
      [...values, page.limit],
    );
    return rows.map(toEndpoint);
  }

  async find(
    executor: SqlExecutor,
    organizationId: number,
    endpointId: number,
    options: { lock?: boolean } = {},
  ): Promise<WebhookEndpoint | null> {
    const rows = await executor.query<EndpointRow>(
      `SELECT ${COLUMNS} FROM \`webhook_endpoints\` WHERE \`organizationId\` = ? AND \`id\` = ?` +
        (options.lock ? executor.forUpdate : ''),
      [organizationId, endpointId],
    );
    return rows.length === 0 ? null : toEndpoint(rows[0]);
  }

  /** Deliveries and their attempts go with it (foreign keys, ON DELETE CASCADE). */
  async delete(executor: SqlExecutor, organizationId: number, endpointId: number) {
    return (
      (await executor.execute(
        'DELETE FROM `webhook_endpoints` WHERE `organizationId` = ? AND `id` = ?',
        [organizationId, endpointId],
      )) === 1
    );
  }

  /** The new secret signs from now on; the previous one also signs until `previousUntil`. */
  async rotateSecret(
    executor: SqlExecutor,
    endpoint: WebhookEndpoint,
    secret: string,
    now: Date,
    previousUntil: Date,
  ): Promise<void> {
    await executor.execute(
      'UPDATE `webhook_endpoints` SET `previousSecret` = `secret`, `previousSecretExpiresAt` = ?, ' +
        '`secret` = ?, `updatedAt` = ? WHERE `organizationId` = ? AND `id` = ?',
      [
        toDatabaseTimestamp(previousUntil),
        secret,
        toDatabaseTimestamp(now),
        endpoint.organizationId,
        endpoint.id,
      ],
    );
  }

  /** A disabled endpoint is enabled again, its failures forgotten (a retry by hand). */
  async enable(executor: SqlExecutor, endpoint: WebhookEndpoint, now: Date): Promise<void> {
    await executor.execute(
      'UPDATE `webhook_endpoints` SET `enabled` = 1, `disabledAt` = NULL, `failingSince` = NULL, ' +
        '`updatedAt` = ? WHERE `organizationId` = ? AND `id` = ?',
      [toDatabaseTimestamp(now), endpoint.organizationId, endpoint.id],
    );
  }
}
