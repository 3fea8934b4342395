import { TEST_BEARER_SECRET, TEST_SESSION_SECRET } from './tokens';

/**
 * The statuses DESIGN section 7 documents for the rs routes (503 aside: no fault injected), and
 * 405 for a method the path does not serve (issue 11: `PATCH .../users/` is the list's path).
 */
export const DOCUMENTED_STATUSES: readonly number[] = [
  200, 400, 401, 403, 404, 405, 409, 412, 413, 415, 422, 429,
];

/** What no response body may contain: stack traces, SQL, driver errors, internal names, secrets. */
export const LEAK_PATTERNS: readonly RegExp[] = [
  /\n\s*at\s/,
  /\bat\s+\S+\s+\([^)]*:\d+:\d+\)/,
  /node_modules/,
  /(?:\/[\w.-]+)+\.(?:ts|js|mjs|cjs):\d+/,
  /"stack"\s*:/,
  /\bSELECT\b[\s\S]{0,200}\bFROM\b/i,
  /\bINSERT\s+INTO\b/i,
  /\bUPDATE\s+`?\w+`?\s+SET\b/i,
  /\bDELETE\s+FROM\b/i,
  /\bER_[A-Z_]{3,}\b/,
  /\bSQLITE_[A-Z_]+\b/,
  /QueryFailedError|TypeORMError|EntityNotFoundError|EntityMetadataNotFound|EntityPropertyNotFound/,
  /better-sqlite3|mysql2/,
  /`(?:memberships|users|sessions|organizations|organization_groups|professions|invitations)`/,
  /\b[A-Z]\w+(?:Controller|Service|Repository|Guard|Pipe|Filter|Middleware|Strategy|Exception)\b/,
  /eyJ[\w-]{10,}\.[\w-]{10,}/,
  new RegExp(TEST_BEARER_SECRET),
  new RegExp(TEST_SESSION_SECRET),
];

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text?: string;
  body?: unknown;
}

/** The leak patterns a body matches (none is the only right answer). */
export function leaksIn(text: string | undefined): string[] {
  if (text === undefined) return [];
  return LEAK_PATTERNS.filter((pattern) => pattern.test(text)).map(String);
}

/**
 * Everything wrong with an error response as an RFC 9457 problem (DESIGN 7): the content type,
 * the required members, the status echoed in the body, a non-empty request id, no leak.
 * An empty list means the response is a proper problem.
 */
export function problemViolations(response: HttpAnswer): string[] {
  const violations: string[] = [];
  const contentType = String(response.headers['content-type'] ?? '');
  if (!/^application\/problem\+json(;|$)/.test(contentType)) {
    violations.push(`content-type is ${JSON.stringify(contentType)}`);
  }
  let body: unknown = response.body;
  if (
    (body === undefined ||
      (typeof body === 'object' && body !== null && !Object.keys(body).length)) &&
    response.text
  ) {
    try {
      body = JSON.parse(response.text);
    } catch {
      violations.push('the body is not JSON');
      return violations;
    }
  }
  if (typeof body !== 'object' || body === null) {
    violations.push('the body is not a JSON object');
    return violations;
  }
  const problem = body as Record<string, unknown>;
  for (const member of ['type', 'title', 'detail', 'code', 'requestId']) {
    if (typeof problem[member] !== 'string' || problem[member].length === 0) {
      violations.push(`${member} is missing or empty`);
    }
  }
  if (problem.status !== response.status) {
    violations.push(`status member ${String(problem.status)} differs from ${response.status}`);
  }
  if (problem.errors !== undefined) {
    const errors = problem.errors;
    if (
      !Array.isArray(errors) ||
      !errors.every(
        (error: unknown) =>
          typeof error === 'object' &&
          error !== null &&
          typeof (error as { field?: unknown }).field === 'string' &&
          typeof (error as { message?: unknown }).message === 'string',
      )
    ) {
      violations.push('errors is not a list of { field, message }');
    }
  }
  violations.push(...leaksIn(response.text ?? JSON.stringify(body)).map((p) => `leaks ${p}`));
  return violations;
}
