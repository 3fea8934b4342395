import { AppException } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';
import { etagOf, Membership } from './membership';

/** The membership answers' texts, written once for every use case. */
export const DENIAL_DETAILS: Partial<Record<ErrorCode, string>> = {
  [ErrorCode.READ_FORBIDDEN]: "The caller's permissions do not cover this member's group.",
  [ErrorCode.ADMIN_REQUIRED]: 'Only administrators of the organization may do this.',
  [ErrorCode.SCOPE_CHANGE_FORBIDDEN]: 'Only administrators of the organization may change a scope.',
  [ErrorCode.PERMISSIONS_CHANGE_FORBIDDEN]:
    'Only administrators of the organization may change permissions.',
  [ErrorCode.PROFILE_CHANGE_FORBIDDEN]:
    "Only the member, an administrator, or a manager of the member's group may change this profile.",
};

export function membershipNotFound(): AppException {
  return new AppException(
    ErrorCode.MEMBERSHIP_NOT_FOUND,
    'No active member of this organization has that user id.',
  );
}

export function lastAdministrator(): AppException {
  return new AppException(
    ErrorCode.LAST_ADMIN,
    'This member is the last active administrator of the organization.',
  );
}

export function preconditionFailed(target: Membership): AppException {
  return new AppException(
    ErrorCode.PRECONDITION_FAILED,
    `The membership's current ETag is ${etagOf(target)}.`,
  );
}

export function alreadyMember(): AppException {
  return new AppException(ErrorCode.ALREADY_MEMBER, 'The user is already an active member.');
}

export function changedMeanwhile(): AppException {
  return new AppException(ErrorCode.CONFLICT, 'The membership changed meanwhile; retry.');
}
