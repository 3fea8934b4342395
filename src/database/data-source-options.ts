import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import { SessionEntity } from '../auth/entities/session.entity';
import type { DatabaseConfig } from '../config/app-config';
import { MembershipEntity } from '../users-organizations/entities/membership.entity';
import { OrganizationGroupEntity } from '../users-organizations/entities/organization-group.entity';
import { OrganizationEntity } from '../users-organizations/entities/organization.entity';
import { ProfessionEntity } from '../users-organizations/entities/profession.entity';
import { UserEntity } from '../users-organizations/entities/user.entity';
import { CreateSchema1764201600000 } from './migrations/1764201600000-CreateSchema';

export const ENTITIES = [
  UserEntity,
  OrganizationEntity,
  ProfessionEntity,
  OrganizationGroupEntity,
  MembershipEntity,
  SessionEntity,
];

/** Listed explicitly, in order: a glob would pick up whatever a build left in dist/. */
export const MIGRATIONS = [CreateSchema1764201600000];

export function buildDataSourceOptions(database: DatabaseConfig): DataSourceOptions {
  const common = {
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    synchronize: false,
  } as const;
  if (database.type === 'better-sqlite3') {
    if (database.path !== ':memory:') mkdirSync(dirname(database.path), { recursive: true });
    return {
      ...common,
      type: 'better-sqlite3',
      database: database.path,
      prepareDatabase: (db: { pragma(source: string): unknown }) => {
        db.pragma('journal_mode = WAL');
        db.pragma('busy_timeout = 5000');
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
    connectTimeout: 5000,
    poolSize: database.poolSize,
  };
}
