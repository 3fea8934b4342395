import { ERROR_DEFINITIONS, ErrorCode } from './error-code';

export interface FieldError {
  /** JSON path of the offending value, e.g. `permissions.read[1]`. */
  field: string;
  message: string;
}

/**
 * The one exception services throw. The problem+json filter turns it into a response; its
 * status comes from the code, so a code always means the same status.
 */
export class AppException extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly options: { errors?: FieldError[]; headers?: Record<string, string> } = {},
  ) {
    super(detail);
    this.status = ERROR_DEFINITIONS[code].status;
  }
}
