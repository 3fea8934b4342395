/**
 * What the baselines share: the token checks the app makes (jsonwebtoken with
 * pre-built KeyObjects, algorithms pinned), body validation, and the response the app returns.
 */
import { createSecretKey, KeyObject } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { verify } from 'jsonwebtoken';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
  ) {
    super(code);
  }
}

export type SqlValue = string | number | null;

export interface Keys {
  bearer: KeyObject;
  session: KeyObject;
}

export function keysFromEnvironment(): Keys {
  const bearer = process.env.AUTH_JWT_SECRET;
  const session = process.env.SESSION_TOKEN_SECRET;
  if (!bearer || !session) throw new Error('AUTH_JWT_SECRET and SESSION_TOKEN_SECRET are required');
  return {
    bearer: createSecretKey(Buffer.from(bearer, 'utf8')),
    session: createSecretKey(Buffer.from(session, 'utf8')),
  };
}

export interface TokenClaims {
  subject: string;
  userId: number;
  sessionId: string;
}

const SESSION_ID = /^[A-Za-z0-9_-]{16,64}$/;

/** The access token verified as the app verifies it; returns its `sub`. Any failure is a 401. */
export function verifyBearer(authorization: unknown, keys: Keys): string {
  if (typeof authorization !== 'string' || !authorization.startsWith('Bearer ')) {
    throw new HttpError(401, 'TOKEN_MISSING');
  }
  let bearer: Record<string, unknown>;
  try {
    bearer = verify(authorization.slice(7), keys.bearer, { algorithms: ['HS256'] }) as Record<
      string,
      unknown
    >;
  } catch {
    throw new HttpError(401, 'TOKEN_INVALID');
  }
  return bearerSubject(bearer);
}

/** The claims the app requires of a verified access token: a `sub` and an `exp`. */
export function bearerSubject(bearer: Record<string, unknown>): string {
  const { sub, exp } = bearer;
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > 255 || typeof exp !== 'number') {
    throw new HttpError(401, 'TOKEN_INVALID');
  }
  return sub;
}

/** The session token verified as the app verifies it. Any failure is a 401. */
export function verifySession(
  sessionToken: unknown,
  keys: Keys,
): Pick<TokenClaims, 'userId' | 'sessionId'> {
  if (typeof sessionToken !== 'string' || sessionToken.length === 0) {
    throw new HttpError(401, 'SESSION_TOKEN_MISSING');
  }
  let session: Record<string, unknown>;
  try {
    session = verify(sessionToken, keys.session, { algorithms: ['HS256'] }) as Record<
      string,
      unknown
    >;
  } catch {
    throw new HttpError(401, 'TOKEN_INVALID');
  }
  const rawUserId = session.userId;
  const userId =
    typeof rawUserId === 'string' && /^\d{1,16}$/.test(rawUserId) ? Number(rawUserId) : rawUserId;
  const sessionId = session.sessionId;
  if (
    typeof userId !== 'number' ||
    !Number.isSafeInteger(userId) ||
    typeof sessionId !== 'string' ||
    !SESSION_ID.test(sessionId) ||
    typeof session.iat !== 'number' ||
    typeof session.exp !== 'number'
  ) {
    throw new HttpError(401, 'SESSION_TOKEN_INVALID');
  }
  return { userId, sessionId };
}

/** Both tokens verified as the app verifies them; any failure is a 401. */
export function verifyTokens(request: IncomingMessage, keys: Keys): TokenClaims {
  const subject = verifyBearer(request.headers.authorization, keys);
  return { subject, ...verifySession(request.headers['x-session-token'], keys) };
}

export interface Changes {
  firstName?: string;
  lastName?: string;
  scope?: 1 | 2;
}

const MAX_BODY = 100 * 1024;

export function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) reject(new HttpError(413, 'PAYLOAD_TOO_LARGE'));
      else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

const NAME_LENGTH = (value: unknown) =>
  typeof value === 'string' && value.length > 0 && [...value].length <= 250;

/** The subset of the PATCH body the scenarios send, validated without implicit conversion. */
export function parseChanges(request: IncomingMessage, text: string): Changes {
  const type = request.headers['content-type'] ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'VALIDATION_FAILED');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpError(400, 'VALIDATION_FAILED');
  }
  const changes: Changes = {};
  for (const [key, value] of Object.entries(body)) {
    if ((key === 'firstName' || key === 'lastName') && NAME_LENGTH(value)) {
      changes[key] = value as string;
    } else if (key === 'scope' && (value === 1 || value === 2)) {
      changes.scope = value;
    } else {
      throw new HttpError(400, 'VALIDATION_FAILED');
    }
  }
  if (Object.keys(changes).length === 0) throw new HttpError(400, 'VALIDATION_FAILED');
  return changes;
}

/** `me` or a safe decimal integer, as the app's pipe accepts. */
export function parseUserId(segment: string, callerId: number): number {
  if (segment === 'me') return callerId;
  if (!/^-?\d{1,16}$/.test(segment)) throw new HttpError(400, 'VALIDATION_FAILED');
  const id = Number(segment);
  if (!Number.isSafeInteger(id)) throw new HttpError(400, 'VALIDATION_FAILED');
  return id;
}

/** A memberships row as mysql2 returns it (timestamps as Date with timezone 'Z'). */
export interface MembershipRow {
  id: number;
  userId: number;
  organizationId: number;
  scope: number;
  firstName: string;
  lastName: string;
  professionId: number | null;
  permissionGroupId: number | null;
  readGroupIds: string;
  manageGroupIds: string;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  deletedAt: Date | null;
}

/** The app's membership view: the `data` of its 200 body. */
export function membershipView(row: MembershipRow) {
  return {
    userId: Number(row.userId),
    organizationId: Number(row.organizationId),
    scope: row.scope,
    firstName: row.firstName,
    lastName: row.lastName,
    professionId: row.professionId === null ? null : Number(row.professionId),
    permissions: {
      group: row.permissionGroupId === null ? null : Number(row.permissionGroupId),
      read: JSON.parse(row.readGroupIds) as number[],
      manage: JSON.parse(row.manageGroupIds) as number[],
    },
    deletedAt: row.deletedAt === null ? null : row.deletedAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    createdAt: row.createdAt.toISOString(),
  };
}

export const membershipETag = (row: MembershipRow) => `"m${row.id}.v${row.version}"`;

/** The app's 200 body and ETag for a membership. */
export function membershipResponse(row: MembershipRow): { body: string; etag: string } {
  return { body: JSON.stringify({ data: membershipView(row) }), etag: membershipETag(row) };
}

export function toDatabaseTimestamp(date: Date): string {
  return date.toISOString().replace('T', ' ').replace('Z', '');
}
