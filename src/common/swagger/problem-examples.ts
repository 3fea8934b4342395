import type { ExampleObject } from '@nestjs/swagger';
import type { FieldError } from '../errors/app.exception';
import { ERROR_DEFINITIONS, ErrorCode } from '../errors/error-code';
import { problemType } from '../errors/problem-details.filter';

/**
 * What each status usually means when a route does not say more: the codes shown as examples
 * under it. A route names its own codes where they differ (a 409 is LAST_ADMIN on a membership,
 * GROUP_IN_USE on a group), so that no status shows another status's problem.
 */
export const DEFAULT_PROBLEM_CODES: Readonly<Record<number, readonly ErrorCode[]>> = {
  400: [ErrorCode.VALIDATION_FAILED, ErrorCode.MALFORMED_JSON],
  401: [ErrorCode.TOKEN_INVALID, ErrorCode.TOKEN_MISSING],
  403: [ErrorCode.ADMIN_REQUIRED],
  404: [ErrorCode.MEMBERSHIP_NOT_FOUND],
  409: [ErrorCode.CONFLICT],
  412: [ErrorCode.PRECONDITION_FAILED],
  413: [ErrorCode.PAYLOAD_TOO_LARGE],
  415: [ErrorCode.UNSUPPORTED_MEDIA_TYPE],
  422: [ErrorCode.PROFESSION_NOT_FOUND, ErrorCode.GROUP_NOT_FOUND],
  410: [ErrorCode.INVITATION_GONE],
  429: [ErrorCode.RATE_LIMITED],
  503: [ErrorCode.DATABASE_UNAVAILABLE],
};

/** The detail a client would read; codes without an entry show their title. */
const DETAILS: Partial<Record<ErrorCode, string>> = {
  VALIDATION_FAILED: 'The request is not valid.',
  MALFORMED_JSON: 'The body is not a valid JSON document.',
  EMPTY_UPDATE: 'Send at least one of firstName, lastName, professionId, scope, permissions.',
  INVALID_USER_ID:
    'userId must be "me" or a decimal integer between -9007199254740991 and 9007199254740991.',
  INVALID_CURSOR: 'The cursor was not issued by this API.',
  TOKEN_MISSING: 'Send the access token as Authorization: Bearer <token>.',
  TOKEN_INVALID: 'The access token is invalid, expired or not meant for this API.',
  SESSION_TOKEN_MISSING:
    'Send the session token in the x-session-token header (from POST ' +
    '/users-organizations/v1/rs/sessions; in the Swagger UI, paste it under session-token and ' +
    "click that form's own Authorize button).",
  SESSION_REVOKED: 'The session has been revoked.',
  SESSION_EXPIRED: 'The session has expired.',
  NOT_A_MEMBER: 'The caller is not an active member of that organization.',
  ADMIN_REQUIRED: 'Only administrators of the organization may do this.',
  READ_FORBIDDEN: "The caller's permissions do not cover this member's group.",
  PROFILE_CHANGE_FORBIDDEN:
    "Only the member, an administrator, or a manager of the member's group may change this profile.",
  SCOPE_CHANGE_FORBIDDEN: 'Only administrators of the organization may change a scope.',
  PERMISSIONS_CHANGE_FORBIDDEN: 'Only administrators of the organization may change permissions.',
  MEMBERSHIP_NOT_FOUND: 'No active member of this organization has that user id.',
  GROUP_UNKNOWN: 'No group of this organization has the id 7.',
  LAST_ADMIN: 'This member is the last active administrator of the organization.',
  RECENT_SIGN_IN_REQUIRED: 'Sign in again: erasing yourself needs a sign-in at most 300 s old.',
  USER_NOT_FOUND: 'No user has this identity here (or it was erased).',
  CONFLICT: 'The membership changed meanwhile; retry.',
  MEMBERSHIP_ACTIVE: 'The membership is active already.',
  GROUP_IN_USE:
    'Group 2 is still the group of a membership or in its read or manage list (deleted ' +
    'memberships count: they may be restored). Change those permissions first.',
  GROUP_NAME_TAKEN: 'This organization already has a group named "Day team".',
  PRECONDITION_FAILED: 'The membership\'s current ETag is "m2.v4".',
  PAYLOAD_TOO_LARGE: 'The body is larger than the limit.',
  UNSUPPORTED_MEDIA_TYPE: 'The body must be application/json.',
  PROFESSION_NOT_FOUND: 'No profession has the id 99.',
  GROUP_NOT_FOUND: 'No group of this organization has the id 99.',
  RATE_LIMITED: 'Too many requests; retry after the time Retry-After gives.',
  DATABASE_UNAVAILABLE: 'The database cannot be reached right now; retry shortly.',
  IDENTITY_PROVIDER_UNAVAILABLE:
    "The identity provider's signing keys cannot be fetched; retry shortly.",
};

const FIELD_ERRORS: Partial<Record<ErrorCode, FieldError[]>> = {
  VALIDATION_FAILED: [
    { field: 'fristName', message: 'is not an allowed property; did you mean firstName?' },
    { field: 'professionId', message: 'must be a profession id or null, not the string "2"' },
  ],
  GROUP_NAME_TAKEN: [
    { field: 'name', message: 'is already the name of a group of this organization' },
  ],
  PROFESSION_NOT_FOUND: [{ field: 'professionId', message: 'is not a known profession' }],
  GROUP_NOT_FOUND: [
    { field: 'permissions.read[1]', message: 'is not a group of this organization' },
  ],
};

/** Filled in per route by the document rules (the path of the operation the example is under). */
export const EXAMPLE_INSTANCE = '{instance}';

/** Named examples of problem bodies, one per code; every code must answer with `status`. */
export function problemExamples(
  status: number,
  codes: readonly ErrorCode[] = DEFAULT_PROBLEM_CODES[status] ?? [],
): Record<string, ExampleObject> {
  const examples: Record<string, ExampleObject> = {};
  for (const code of codes) {
    const definition = ERROR_DEFINITIONS[code];
    // Refused at load time, like an impossible @Authenticated(): a wrong example misleads.
    if (Number(definition.status) !== status) {
      throw new Error(`Problem example ${code} answers ${definition.status}, not ${status}`);
    }
    const errors = FIELD_ERRORS[code];
    examples[code] = {
      summary: code,
      value: {
        type: problemType(code),
        title: definition.title,
        status,
        detail: DETAILS[code] ?? `${definition.title}.`,
        code,
        instance: EXAMPLE_INSTANCE,
        requestId: '5f1c0c9e-6a8e-4c2b-9d43-0e6f3a1b2c3d',
        ...(errors ? { errors } : {}),
      },
    };
  }
  return examples;
}
