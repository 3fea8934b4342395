import { Injectable } from '@nestjs/common';
import { AppException } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';
import type { SqlExecutor } from '../database';
import type { Permissions } from './membership';
import { GroupsRepository, ProfessionsRepository } from '../catalogues';

/**
 * Checks that the profession and the groups a membership (or an invitation) names exist, in
 * the caller's transaction: groups are share-locked, so a concurrent deletion cannot slip in
 * before the write that references them. 422 otherwise, with the offending JSON paths.
 */
@Injectable()
export class MembershipReferences {
  constructor(
    private readonly professions: ProfessionsRepository,
    private readonly groups: GroupsRepository,
  ) {}

  /**
   * `changes` says what is being written; `requested` is the body as sent, whose list indexes
   * the error paths use (stored lists are sorted).
   */
  async check(
    executor: SqlExecutor,
    organizationId: number,
    changes: { professionId?: number | null; permissions?: Permissions },
    requested: { permissions?: Permissions } = changes,
  ): Promise<void> {
    if (
      changes.professionId !== undefined &&
      changes.professionId !== null &&
      !(await this.professions.exists(executor, changes.professionId))
    ) {
      throw new AppException(
        ErrorCode.PROFESSION_NOT_FOUND,
        `No profession has the id ${changes.professionId}.`,
        { errors: [{ field: 'professionId', message: 'does not name a profession' }] },
      );
    }
    if (changes.permissions === undefined || requested.permissions === undefined) return;
    const { group, read, manage } = requested.permissions;
    const referenced = [...new Set([...(group === null ? [] : [group]), ...read, ...manage])];
    const missing = new Set(await this.groups.missing(executor, organizationId, referenced));
    if (missing.size === 0) return;
    const errors = [
      ...(group !== null && missing.has(group) ? [{ field: 'permissions.group' }] : []),
      ...read.flatMap((id, i) => (missing.has(id) ? [{ field: `permissions.read[${i}]` }] : [])),
      ...manage.flatMap((id, i) =>
        missing.has(id) ? [{ field: `permissions.manage[${i}]` }] : [],
      ),
    ].map(({ field }) => ({ field, message: 'is not a group of this organization' }));
    throw new AppException(
      ErrorCode.GROUP_NOT_FOUND,
      `These ids are not groups of this organization: ${[...missing].join(', ')}.`,
      { errors },
    );
  }
}
