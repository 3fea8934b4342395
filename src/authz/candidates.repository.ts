import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../database';
import { type Actor, permissionsOf } from '../users-organizations';

interface MemberRow {
  id: number | string;
  userId: number | string;
  scope: number | string;
  permissionGroupId: number | string | null;
  readGroupIds: string;
  manageGroupIds: string;
}

/** A row a search judges: its position (the page token) and what the policy looks at. */
export interface Candidate {
  position: number;
  id: number;
  member?: Actor;
}

/**
 * The organization's active members, or its groups, in id order after a position: what the
 * searches of DESIGN 14 judge one by one with the policy functions.
 */
@Injectable()
export class CandidatesRepository {
  constructor(private readonly database: DatabaseService) {}

  async members(organizationId: number, after: number, limit: number): Promise<Candidate[]> {
    const rows = await this.database.query<MemberRow>(
      'SELECT `id`, `userId`, `scope`, `permissionGroupId`, `readGroupIds`, `manageGroupIds` ' +
        'FROM `memberships` WHERE `organizationId` = ? AND `deletedAt` IS NULL AND `id` > ? ' +
        'ORDER BY `id` LIMIT ?',
      [organizationId, after, limit],
    );
    return rows.map((row) => ({
      position: Number(row.id),
      id: Number(row.userId),
      member: {
        userId: Number(row.userId),
        scope: Number(row.scope),
        permissions: permissionsOf(row),
      },
    }));
  }

  async groups(organizationId: number, after: number, limit: number): Promise<Candidate[]> {
    const rows = await this.database.query<{ id: number | string }>(
      'SELECT `id` FROM `organization_groups` WHERE `organizationId` = ? AND `id` > ? ' +
        'ORDER BY `id` LIMIT ?',
      [organizationId, after, limit],
    );
    return rows.map((row) => ({ position: Number(row.id), id: Number(row.id) }));
  }
}
