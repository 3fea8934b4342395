import { Injectable } from '@nestjs/common';
import {
  DatabaseService,
  fromDatabaseTimestamp,
  SqlExecutor,
  toDatabaseTimestamp,
} from '../database';
import { reachesOrganization, type ServiceContext } from '../auth';
import { organizationNotFound, type Organization, type OrganizationChanges } from './organization';

interface OrganizationRow {
  id: number | string;
  name: string;
  externalId: string | null;
  requireMfa: number | string | boolean;
  version: number | string;
  archivedAt: Date | string | null;
  createdAt: Date | string;
  updatedAt: Date | string;
}

const COLUMNS =
  '`id`, `name`, `externalId`, `requireMfa`, `version`, `archivedAt`, `createdAt`, `updatedAt`';

const toOrganization = (row: OrganizationRow): Organization => ({
  id: Number(row.id),
  name: row.name,
  externalId: row.externalId,
  requireMfa: Number(row.requireMfa) === 1,
  version: Number(row.version),
  archivedAt: fromDatabaseTimestamp(row.archivedAt),
  createdAt: fromDatabaseTimestamp(row.createdAt) as Date,
  updatedAt: fromDatabaseTimestamp(row.updatedAt) as Date,
});

export interface OrganizationFilters {
  externalId?: string;
  archived: boolean;
  /** Only these organizations: a client's entry in SERVICE_CLIENTS. */
  ids: '*' | number[];
}

/** The organizations table, in plain SQL as the rest of the app's hot paths. */
@Injectable()
export class OrganizationsRepository {
  constructor(private readonly database: DatabaseService) {}

  async find(
    executor: SqlExecutor,
    id: number,
    options: { lock?: boolean } = {},
  ): Promise<Organization | null> {
    const rows = await executor.query<OrganizationRow>(
      `SELECT ${COLUMNS} FROM \`organizations\` WHERE \`id\` = ?` +
        (options.lock ? executor.forUpdate : ''),
      [id],
    );
    return rows.length === 0 ? null : toOrganization(rows[0]);
  }

  /** An organization a client reaches; any other is 404, as one that does not exist. */
  async reachable(
    executor: SqlExecutor,
    service: Pick<ServiceContext, 'organizations'>,
    id: number,
    options: { lock?: boolean } = {},
  ): Promise<Organization> {
    if (!reachesOrganization(service, id)) throw organizationNotFound();
    const organization = await this.find(executor, id, options);
    if (organization === null) throw organizationNotFound();
    return organization;
  }

  /** Ascending ids after the cursor's; the filters narrow, never widen, a client's reach. */
  async list(
    filters: OrganizationFilters,
    page: { afterId: number | undefined; limit: number },
  ): Promise<Organization[]> {
    const conditions = [filters.archived ? '`archivedAt` IS NOT NULL' : '`archivedAt` IS NULL'];
    const parameters: (string | number)[] = [];
    if (filters.ids !== '*') {
      if (filters.ids.length === 0) return [];
      conditions.push(`\`id\` IN (${filters.ids.map(() => '?').join(', ')})`);
      parameters.push(...filters.ids);
    }
    if (filters.externalId !== undefined) {
      conditions.push('`externalId` = ?');
      parameters.push(filters.externalId);
    }
    if (page.afterId !== undefined) {
      conditions.push('`id` > ?');
      parameters.push(page.afterId);
    }
    const rows = await this.database.query<OrganizationRow>(
      `SELECT ${COLUMNS} FROM \`organizations\` WHERE ${conditions.join(' AND ')} ` +
        'ORDER BY `id` LIMIT ?',
      [...parameters, page.limit],
    );
    return rows.map(toOrganization);
  }

  async insert(
    executor: SqlExecutor,
    values: { name: string; externalId: string | null; createdAt: Date },
  ): Promise<Organization> {
    const at = toDatabaseTimestamp(values.createdAt);
    const id = await executor.insert(
      'INSERT INTO `organizations` (`name`, `externalId`, `createdAt`, `updatedAt`) ' +
        'VALUES (?, ?, ?, ?)',
      [values.name, values.externalId, at, at],
    );
    return {
      id,
      name: values.name,
      externalId: values.externalId,
      requireMfa: false,
      version: 1,
      archivedAt: null,
      createdAt: values.createdAt,
      updatedAt: values.createdAt,
    };
  }

  /** Writes the fields a PATCH changed (all three, as they are after it) and bumps the version. */
  async update(
    executor: SqlExecutor,
    current: Organization,
    changes: OrganizationChanges,
    updatedAt: Date,
  ): Promise<Organization> {
    const next = { ...current, ...changes, version: current.version + 1, updatedAt };
    await executor.execute(
      'UPDATE `organizations` SET `name` = ?, `externalId` = ?, `requireMfa` = ?, ' +
        '`version` = `version` + 1, `updatedAt` = ? WHERE `id` = ?',
      [
        next.name,
        next.externalId,
        next.requireMfa ? 1 : 0,
        toDatabaseTimestamp(updatedAt),
        current.id,
      ],
    );
    return next;
  }

  /** Archives (a date) or restores (null), and bumps the version. */
  async setArchivedAt(
    executor: SqlExecutor,
    current: Organization,
    archivedAt: Date | null,
    updatedAt: Date,
  ): Promise<Organization> {
    await executor.execute(
      'UPDATE `organizations` SET `archivedAt` = ?, `version` = `version` + 1, `updatedAt` = ? ' +
        'WHERE `id` = ?',
      [
        archivedAt === null ? null : toDatabaseTimestamp(archivedAt),
        toDatabaseTimestamp(updatedAt),
        current.id,
      ],
    );
    return { ...current, archivedAt, version: current.version + 1, updatedAt };
  }
}
