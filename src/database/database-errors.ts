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
 * Errors that waiting will not cure: the server answered, and refused these credentials or this
 * host, does not know this database, or refused what the migrations need. Unknown database
 * before access denied: MySQL says "access denied" also for a database the user may not see.
 */
const PERMANENT_CONNECT_ERRORS: Record<string, string> = {
  ER_BAD_DB_ERROR:
    'the database does not exist: create it with `npm run db:create`, or fix its name in DATABASE_URL',
  ER_ACCESS_DENIED_ERROR: 'access denied: check the user and password in DATABASE_URL',
  ER_DBACCESS_DENIED_ERROR: 'this user may not use this database: grant it, or fix DATABASE_URL',
  // MariaDB answers this one (1698) for an unknown user or a refused plugin, password or not.
  ER_ACCESS_DENIED_NO_PASSWORD_ERROR: 'access denied: check the user and password in DATABASE_URL',
  ER_HOST_NOT_PRIVILEGED: 'the server refuses connections from this host for this user',
  ER_HOST_IS_BLOCKED: 'the server blocked this host after connection errors: flush its hosts',
  ER_NOT_SUPPORTED_AUTH_MODE: 'the server asks for an authentication method mysql2 lacks',
  ER_TABLEACCESS_DENIED_ERROR:
    'this user may not create or change the tables: grant it ALL on the database',
  ER_SPECIFIC_ACCESS_DENIED_ERROR: 'this user lacks a privilege the migrations need',
};

/** What to check when nothing usable answers: the server may still come, or is elsewhere. */
const UNREACHABLE_HINTS: Record<string, string> = {
  ECONNREFUSED:
    'nothing listens there (ECONNREFUSED): start MySQL, or fix the host and port in DATABASE_URL',
  ENOTFOUND: 'the host name does not resolve (ENOTFOUND): fix the host in DATABASE_URL',
  EAI_AGAIN: 'the host name could not be resolved now (EAI_AGAIN): check DNS and DATABASE_URL',
  ETIMEDOUT: 'no answer in time (ETIMEDOUT): check the host, the port and the network',
  EHOSTUNREACH: 'the host is unreachable (EHOSTUNREACH): check the host and the network',
};

/**
 * What is wrong, when the error is one that retrying will not fix; null otherwise: the server
 * may be down, starting or busy, or another instance may be running the same migrations (they
 * take no lock: its tables appear under this one's feet, and the next attempt finds them done).
 */
export function permanentConnectProblem(error: unknown): string | null {
  const code = codeOf(error);
  return code === undefined ? null : (PERMANENT_CONNECT_ERRORS[code] ?? null);
}

/** One line for any database error: what it is, and what to check where that is known. */
export function databaseProblem(error: unknown): string {
  const code = codeOf(error);
  const hint = code === undefined ? undefined : UNREACHABLE_HINTS[code];
  return permanentConnectProblem(error) ?? hint ?? errorSummary(error);
}

/**
 * The first line of an error's message, else its code or name: never empty (a connection
 * refused on every address of a host name is an AggregateError with no message).
 */
export function errorSummary(error: unknown): string {
  const shape = error as (DriverErrorShape & { errors?: unknown[] }) | null;
  const message = typeof shape?.message === 'string' ? shape.message.split('\n')[0].trim() : '';
  if (message !== '') return message;
  const code = codeOf(error);
  if (code !== undefined) return code;
  if (Array.isArray(shape?.errors) && shape.errors.length > 0) return errorSummary(shape.errors[0]);
  if (typeof shape?.name === 'string' && shape.name !== '') return shape.name;
  return String(error);
}

/** Lock conflicts a transaction may simply run again. */
const RETRYABLE_CODES = new Set(['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT', 'SQLITE_BUSY']);

interface DriverErrorShape {
  code?: unknown;
  name?: unknown;
  message?: unknown;
  driverError?: DriverErrorShape;
}

/** True for an error the driver or the server raised (it has a code), or one of unavailability. */
export function isDriverError(error: unknown): boolean {
  return codeOf(error) !== undefined || isDatabaseUnavailableError(error);
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
