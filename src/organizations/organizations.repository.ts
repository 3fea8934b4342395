import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../database/database.service';
import type { Scope } from '../users-organizations/entities/membership.entity';

export interface UserOrganization {
  organizationId: number;
  name: string;
  scope: Scope;
}

/** Organizations as seen by one user: the user id is a required filter of every method. */
@Injectable()
export class OrganizationsRepository {
  constructor(private readonly database: DatabaseService) {}

  /** Served by the unique (userId, organizationId) index of memberships. */
  async findActiveForUser(userId: number): Promise<UserOrganization[]> {
    const rows = await this.database.query<{
      organizationId: number | string;
      name: string;
      scope: number | string;
    }>(
      'SELECT m.`organizationId`, o.`name`, m.`scope` FROM `memberships` m ' +
        'JOIN `organizations` o ON o.`id` = m.`organizationId` ' +
        'WHERE m.`userId` = ? AND m.`deletedAt` IS NULL AND o.`deletedAt` IS NULL ' +
        'ORDER BY m.`organizationId`',
      [userId],
    );
    return rows.map((row) => ({
      organizationId: Number(row.organizationId),
      name: row.name,
      scope: Number(row.scope),
    }));
  }
}
