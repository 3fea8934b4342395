import { AppException } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';
import type { FieldChanges } from '../audit';

/** An organization as the API shows it (DESIGN 13). */
export interface Organization {
  id: number;
  name: string;
  externalId: string | null;
  requireMfa: boolean;
  version: number;
  archivedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** What a PATCH may change: each field absent stays as it is. */
export interface OrganizationChanges {
  name?: string;
  externalId?: string | null;
  requireMfa?: boolean;
}

export function organizationEtag(organization: Pick<Organization, 'id' | 'version'>): string {
  return `"o${organization.id}.v${organization.version}"`;
}

/**
 * The fields whose requested value differs from the stored one, before and after: empty for a
 * no-op, which writes nothing and changes neither `updatedAt` nor the ETag (as the PATCH of
 * DESIGN 7).
 */
export function organizationDiff(
  current: Organization,
  requested: OrganizationChanges,
): FieldChanges {
  const changes: FieldChanges = {};
  for (const field of ['name', 'externalId', 'requireMfa'] as const) {
    const after = requested[field];
    if (after !== undefined && after !== current[field]) {
      changes[field] = { before: current[field], after };
    }
  }
  return changes;
}

export function organizationNotFound(): AppException {
  return new AppException(ErrorCode.ORGANIZATION_NOT_FOUND, 'No organization has that id.');
}

export function externalIdTaken(): AppException {
  return new AppException(
    ErrorCode.EXTERNAL_ID_TAKEN,
    'Another organization has this externalId: a retried create finds it with GET .../svc/organizations?externalId=.',
  );
}

export function organizationPreconditionFailed(current: Organization): AppException {
  return new AppException(
    ErrorCode.PRECONDITION_FAILED,
    `The organization's current ETag is ${organizationEtag(current)}.`,
  );
}
