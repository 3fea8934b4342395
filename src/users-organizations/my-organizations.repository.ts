import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../database';
import type { MyOrganizationView } from './dto/my-organization.response';

/**
 * The organizations a user is an active member of (where the same rule as POST /sessions lets
 * it open a session): the user id is a required filter.
 */
@Injectable()
export class MyOrganizationsRepository {
  constructor(private readonly database: DatabaseService) {}

  /** Served by the unique (userId, organizationId) index of memberships. */
  async findActiveForUser(userId: number): Promise<MyOrganizationView[]> {
    const rows = await this.database.query<{
      organizationId: number | string;
      name: string;
      scope: number | string;
    }>(
      'SELECT m.`organizationId`, o.`name`, m.`scope` FROM `memberships` m ' +
        'JOIN `organizations` o ON o.`id` = m.`organizationId` ' +
        'WHERE m.`userId` = ? AND m.`deletedAt` IS NULL AND o.`archivedAt` IS NULL ' +
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
