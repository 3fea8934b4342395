import { AppException } from '../../common/errors/app.exception';
import { ErrorCode } from '../../common/errors/error-code';
import { Scope } from '../entities/membership.entity';
import type { MembershipChanges } from '../membership';
import {
  NameProperty,
  PermissionsDto,
  PermissionsProperty,
  ProfessionIdProperty,
  ScopeProperty,
} from './membership-properties';

/** The PATCH body: at least one field; absent fields stay as they are. */
export class UpdateMembershipDto {
  @NameProperty({
    optional: true,
    example: 'Alice',
    description: 'Counted in Unicode characters: 250 emoji fit.',
  })
  firstName?: string;

  @NameProperty({
    optional: true,
    example: 'Martin',
    description: 'Counted in Unicode characters: 250 emoji fit.',
  })
  lastName?: string;

  @ProfessionIdProperty({ example: 2, description: 'An existing profession, or null to clear it.' })
  professionId?: number | null;

  @ScopeProperty({
    example: Scope.Member,
    description: '1 = administrator, 2 = member. Administrators only.',
  })
  scope?: Scope;

  @PermissionsProperty({
    description: 'The whole object, replacing the previous one. Administrators only.',
  })
  permissions?: PermissionsDto;
}

/** The requested changes; a body naming no field is refused rather than treated as a no-op. */
export function changesFrom(body: UpdateMembershipDto): MembershipChanges {
  const changes: MembershipChanges = {};
  if (body.firstName !== undefined) changes.firstName = body.firstName;
  if (body.lastName !== undefined) changes.lastName = body.lastName;
  if (body.professionId !== undefined) changes.professionId = body.professionId;
  if (body.scope !== undefined) changes.scope = body.scope;
  if (body.permissions !== undefined) {
    const { group, read, manage } = body.permissions;
    changes.permissions = { group, read, manage };
  }
  if (Object.keys(changes).length === 0) {
    throw new AppException(
      ErrorCode.EMPTY_UPDATE,
      'Send at least one of firstName, lastName, professionId, scope, permissions.',
    );
  }
  return changes;
}
