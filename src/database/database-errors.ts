/** Driver error codes that mean "the database cannot serve now", not "the request is wrong". */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'EAI_AGAIN',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
  'ER_ACCESS_DENIED_ERROR',
  'ER_BAD_DB_ERROR',
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_LOCK_DEADLOCK',
  'ER_QUERY_INTERRUPTED',
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_CANTOPEN',
]);

const UNAVAILABLE_ERROR_NAMES = new Set([
  'DatabaseNotConnectedError',
  'ConnectionAcquireTimeoutError',
  'CannotExecuteNotConnectedError',
  'ConnectionIsNotSetError',
  'QueryRunnerAlreadyReleasedError',
]);

/**
 * Connection errors that waiting will not cure: the server answered, and refused these
 * credentials or does not know this database. Unknown database before access denied: MySQL
 * says "access denied" also for a database the user may not see.
 */
const PERMANENT_CONNECT_ERRORS: Record<string, string> = {
  ER_BAD_DB_ERROR: 'the database does not exist: create it, or fix its name in DATABASE_URL',
  ER_ACCESS_DENIED_ERROR: 'access denied: check the user and password in DATABASE_URL',
  ER_DBACCESS_DENIED_ERROR: 'this user may not use this database: grant it, or fix DATABASE_URL',
  ER_ACCESS_DENIED_NO_PASSWORD_ERROR: 'access denied: DATABASE_URL needs a password',
};

/** What is wrong, when the error is one that retrying will not fix; null otherwise. */
export function permanentConnectProblem(error: unknown): string | null {
  const code = codeOf(error);
  return code === undefined ? null : (PERMANENT_CONNECT_ERRORS[code] ?? null);
}

/** Lock conflicts a transaction may simply run again. */
const RETRYABLE_CODES = new Set(['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT', 'SQLITE_BUSY']);

interface DriverErrorShape {
  code?: unknown;
  name?: unknown;
  message?: unknown;
  driverError?: DriverErrorShape;
}

function codeOf(error: unknown): string | undefined {
  const shape = error as DriverErrorShape | null;
  const code = shape?.driverError?.code ?? shape?.code;
  return typeof code === 'string' ? code : undefined;
}

export function isDatabaseUnavailableError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = codeOf(error);
  if (code !== undefined && UNAVAILABLE_CODES.has(code)) return true;
  const shape = error as DriverErrorShape;
  if (typeof shape.name === 'string' && UNAVAILABLE_ERROR_NAMES.has(shape.name)) return true;
  // mysql2's pool reports these as plain errors without a code.
  return (
    typeof shape.message === 'string' &&
    /Pool is closed|No connections available|Queue limit reached|connect ETIMEDOUT/.test(
      shape.message,
    )
  );
}

export function isRetryableLockError(error: unknown): boolean {
  const code = codeOf(error);
  return code !== undefined && RETRYABLE_CODES.has(code);
}

/** A unique index refused the write: a concurrent request created the same thing first. */
export function isUniqueViolation(error: unknown): boolean {
  const code = codeOf(error);
  return (
    code === 'ER_DUP_ENTRY' ||
    code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  );
}

/** A RESTRICT foreign key refused to delete a row that is still referenced. */
export function isRowReferencedViolation(error: unknown): boolean {
  const code = codeOf(error);
  return (
    code === 'ER_ROW_IS_REFERENCED_2' ||
    code === 'ER_ROW_IS_REFERENCED' ||
    // SQLite does not say which side failed; on a DELETE it can only be a referencing row.
    code === 'SQLITE_CONSTRAINT_FOREIGNKEY'
  );
}
