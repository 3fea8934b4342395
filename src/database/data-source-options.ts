import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import type { DatabaseConfig } from '../config';
import { CreateSchema1764201600000 } from './migrations/1764201600000-CreateSchema';
import { AddMembershipListIndexes1764288000000 } from './migrations/1764288000000-AddMembershipListIndexes';
import { AddGroupNameUnique1764288060000 } from './migrations/1764288060000-AddGroupNameUnique';
import { CreateAuditEvents1764288120000 } from './migrations/1764288120000-CreateAuditEvents';
import { UsersFromSignIns1764547200000 } from './migrations/1764547200000-UsersFromSignIns';
import { CreateInvitations1764547260000 } from './migrations/1764547260000-CreateInvitations';
import { AddRetentionIndexes1764900000000 } from './migrations/1764900000000-AddRetentionIndexes';
import { AlignSchemaWithEntities1764950000000 } from './migrations/1764950000000-AlignSchemaWithEntities';
import { AuditEventsAsOutbox1765000000000 } from './migrations/1765000000000-AuditEventsAsOutbox';
import { CreateWebhooks1765000060000 } from './migrations/1765000060000-CreateWebhooks';
import { RelayMarkInPlace1765100000000 } from './migrations/1765100000000-RelayMarkInPlace';
import { usersKeyedByIssuer } from './migrations/1765200000000-UsersKeyedByIssuer';
import { OrganizationsLifecycle1765200060000 } from './migrations/1765200060000-OrganizationsLifecycle';
import { AuditActorClient1765200120000 } from './migrations/1765200120000-AuditActorClient';
import { SessionsByOrganization1765200180000 } from './migrations/1765200180000-SessionsByOrganization';
import { SessionsSecondFactor1765200240000 } from './migrations/1765200240000-SessionsSecondFactor';
import { PersonalDataIndexes1765200300000 } from './migrations/1765200300000-PersonalDataIndexes';

/** The app sends a few dozen distinct statements; list filters and IN lists make some more. */
export const PREPARED_STATEMENTS_PER_CONNECTION = 256;

/**
 * Listed explicitly, in order: a glob would pick up whatever a build left in dist/. Some take
 * a value of the configuration (the default issuer users are given).
 */
export const migrations = (database: DatabaseConfig) => [
  CreateSchema1764201600000,
  AddMembershipListIndexes1764288000000,
  AddGroupNameUnique1764288060000,
  CreateAuditEvents1764288120000,
  UsersFromSignIns1764547200000,
  CreateInvitations1764547260000,
  AddRetentionIndexes1764900000000,
  AlignSchemaWithEntities1764950000000,
  AuditEventsAsOutbox1765000000000,
  CreateWebhooks1765000060000,
  RelayMarkInPlace1765100000000,
  usersKeyedByIssuer(database.defaultIssuer),
  OrganizationsLifecycle1765200060000,
  AuditActorClient1765200120000,
  SessionsByOrganization1765200180000,
  SessionsSecondFactor1765200240000,
  PersonalDataIndexes1765200300000,
];

interface SqliteConnection {
  pragma(source: string): unknown;
  function(
    name: string,
    options: { deterministic: boolean },
    implementation: (value: unknown) => unknown,
  ): unknown;
}

/**
 * The connection options of either engine. Entities are not listed here: each module registers
 * those of the tables it owns (TypeOrmModule.forFeature), and the migrations need none.
 */
export function buildDataSourceOptions(
  database: DatabaseConfig,
  entities: DataSourceOptions['entities'] = [],
): DataSourceOptions {
  const common = {
    entities,
    migrations: migrations(database),
    migrationsTableName: 'migrations',
    synchronize: false,
  } as const;
  if (database.type === 'better-sqlite3') {
    if (database.path !== ':memory:') mkdirSync(dirname(database.path), { recursive: true });
    return {
      ...common,
      type: 'better-sqlite3',
      database: database.path,
      prepareDatabase: (db: SqliteConnection) => {
        db.pragma('journal_mode = WAL');
        db.pragma('busy_timeout = 5000');
        // SQLite's own lower() folds ASCII only; MySQL's folds all of Unicode. Same answers.
        db.function('lower', { deterministic: true }, (value: unknown) =>
          typeof value === 'string' ? value.toLowerCase() : value,
        );
      },
    };
  }
  return {
    ...common,
    type: 'mysql',
    url: database.url,
    charset: 'utf8mb4_unicode_ci',
    timezone: 'Z',
    supportBigNumbers: true,
    bigNumberStrings: false,
    dateStrings: false,
    connectTimeout: 3000,
    poolSize: database.poolSize,
    // For TypeORM's own statements (migrations, seeding); DatabaseService puts the same
    // deadline on every statement of a request itself, and closes the connection past it.
    enableQueryTimeout: true,
    maxQueryExecutionTime: database.statementTimeoutMs,
    extra: {
      // A bound on memory, not the fail-fast rule: waiting is bounded in time by DatabaseService.
      queueLimit: database.poolSize * 50,
      // Prepared statements kept per connection (the least used are closed on the server): the
      // server's own limit (max_prepared_stmt_count, 16,382 by default) is shared by every client.
      maxPreparedStatements: PREPARED_STATEMENTS_PER_CONNECTION,
    },
  };
}
