/**
 * THE ONE PLACE to keep in step with the app: the statements the app sends for one PATCH, per
 * kind of change, in order, with the checks it makes between them. The same-work baseline runs
 * exactly this plan. `npm run bench` reads both off the wire (statement and protocol) and says
 * when they differ; then change this file.
 *
 * The app as of the events commit (src/users-organizations/member-context.resolver.ts,
 * usecases/update-membership.use-case.ts + memberships.repository.ts, src/audit/
 * audit.repository.ts): every statement a prepared one (mysql2 `execute()`), the transaction
 * boundaries as text; one pool connection for the session read and another for the
 * transaction:
 *   profile: session+caller+target join (the target's user not erased); START TRANSACTION;
 *            UPDATE of every changeable column ... WHERE id AND version, joined to the caller's
 *            row at the version its rights were judged on when the caller is not the target
 *            (rights at commit time); audit INSERT, which is also the event's outbox row (event
 *            id and view); COMMIT. When the UPDATE finds either row changed since the join
 *            (hot rows): ROLLBACK, then START TRANSACTION; caller SELECT ... LOCK IN SHARE MODE
 *            (not for oneself); target SELECT ... FOR UPDATE; UPDATE; audit INSERT; COMMIT.
 *   scope:   session+caller+target join; START TRANSACTION; administrators SELECT ... FOR UPDATE;
 *            target SELECT ... FOR UPDATE; UPDATE; audit INSERT; COMMIT.
 */
import { randomUUID } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import {
  Changes,
  HttpError,
  MembershipRow,
  membershipView,
  SqlValue,
  TokenClaims,
  toDatabaseTimestamp,
} from './common';

/** What one request has learnt so far; statements read their parameters from it. */
export interface RequestState {
  claims: TokenClaims;
  targetUserId: number;
  changes: Changes;
  now: Date;
  requestId: string;
  caller?: MembershipRow;
  organizationId?: number;
  administrators?: number[];
  target?: MembershipRow;
  /** Whether the request changes anything (the app writes nothing for a no-op body). */
  writes?: boolean;
}

export function newRequestState(
  claims: TokenClaims,
  targetUserId: number,
  changes: Changes,
): RequestState {
  return { claims, targetUserId, changes, now: new Date(), requestId: randomUUID() };
}

/** The rows of a SELECT, or the header of a write. */
export type StatementResult = { rows: Record<string, unknown>[]; affectedRows: number };

export interface Statement {
  name: string;
  sql: string | ((state: RequestState) => string);
  /** On the request's transaction connection (from START TRANSACTION to COMMIT), or the pool. */
  transaction: boolean;
  /** `query` = text protocol (the app's transaction boundaries); `execute` = a prepared statement. */
  protocol: 'query' | 'execute';
  params?: (state: RequestState) => SqlValue[];
  /** The statement is skipped when this says no (e.g. the writes of a no-op). */
  when?: (state: RequestState) => boolean;
  /** Checks and bookkeeping the app does with the result; throws HttpError to answer early. */
  then?: (state: RequestState, result: StatementResult) => void;
}

/** Thrown by a statement when the row changed under an optimistic write: run the fallback. */
export class StaleRow extends Error {}

export interface Plan {
  statements: Statement[];
  /** After StaleRow: ROLLBACK, then these on a fresh transaction. */
  fallback?: Statement[];
}

const COLUMNS = [
  'id',
  'userId',
  'organizationId',
  'scope',
  'firstName',
  'lastName',
  'professionId',
  'permissionGroupId',
  'readGroupIds',
  'manageGroupIds',
  'version',
  'createdAt',
  'updatedAt',
  'deletedAt',
] as const;

const prefixed = (alias: string, prefix: string) =>
  COLUMNS.map((column) => `${alias}.\`${column}\` AS \`${prefix}${column}\``).join(', ');

const MEMBERSHIP_COLUMNS = COLUMNS.map((column) => `m.\`${column}\``).join(', ');

/** The session, the caller and (unless the caller is the target) the target, in one join. */
function sessionSql(s: RequestState): string {
  const withTarget = s.targetUserId !== s.claims.userId;
  return (
    'SELECT s.`id` AS `sessionId`, s.`userId` AS `sessionUserId`, ' +
    's.`organizationId` AS `sessionOrganizationId`, s.`expiresAt`, s.`revokedAt`, s.`mfa`, ' +
    'u.`issuer`, u.`subject`, u.`deletedAt` AS `userDeletedAt`, o.`archivedAt` AS `organizationArchivedAt`, ' +
    prefixed('m', 'caller_') +
    (withTarget ? `, ${prefixed('t', 'target_')} ` : ' ') +
    'FROM `sessions` s ' +
    'JOIN `users` u ON u.`id` = s.`userId` ' +
    'JOIN `organizations` o ON o.`id` = s.`organizationId` ' +
    'LEFT JOIN `memberships` m ON m.`userId` = s.`userId` AND m.`organizationId` = s.`organizationId` ' +
    (withTarget
      ? 'LEFT JOIN `users` tu ON tu.`id` = ? AND tu.`deletedAt` IS NULL ' +
        'LEFT JOIN `memberships` t ON t.`userId` = tu.`id` AND t.`organizationId` = s.`organizationId` '
      : '') +
    'WHERE s.`id` = ?'
  );
}

function unprefix(row: Record<string, unknown>, prefix: string): MembershipRow | null {
  if (row[`${prefix}id`] === null || row[`${prefix}id`] === undefined) return null;
  const membership: Record<string, unknown> = {};
  for (const column of COLUMNS) membership[column] = row[`${prefix}${column}`];
  return membership as unknown as MembershipRow;
}

/** The session guard: every 401 rule of DESIGN section 5 on the joined row. */
function session(judgeTarget: boolean): Statement {
  return {
    name: 'session',
    sql: sessionSql,
    transaction: false,
    protocol: 'execute',
    params: (s) =>
      s.targetUserId !== s.claims.userId
        ? [s.targetUserId, s.claims.sessionId]
        : [s.claims.sessionId],
    then: (s, { rows }) => {
      const row = rows[0];
      if (!row) throw new HttpError(401, 'SESSION_NOT_FOUND');
      if (Number(row.sessionUserId) !== s.claims.userId || row.subject !== s.claims.subject) {
        throw new HttpError(401, 'SESSION_TOKEN_INVALID');
      }
      if (row.userDeletedAt !== null) throw new HttpError(401, 'USER_UNKNOWN');
      if (row.revokedAt !== null) throw new HttpError(401, 'SESSION_REVOKED');
      if ((row.expiresAt as Date).getTime() <= s.now.getTime()) {
        throw new HttpError(401, 'SESSION_EXPIRED');
      }
      const caller = unprefix(row, 'caller_');
      if (caller === null || caller.deletedAt !== null || row.organizationArchivedAt !== null) {
        throw new HttpError(401, 'MEMBERSHIP_INACTIVE');
      }
      s.caller = caller;
      s.organizationId = Number(row.sessionOrganizationId);
      if (judgeTarget) {
        const target = s.targetUserId === s.claims.userId ? caller : unprefix(row, 'target_');
        judge(s, target);
      }
    },
  };
}

const begin: Statement = {
  name: 'begin',
  sql: 'START TRANSACTION',
  transaction: true,
  protocol: 'query',
};

const lockAdministrators: Statement = {
  name: 'lock administrators',
  sql:
    'SELECT `userId` FROM `memberships` ' +
    'WHERE `organizationId` = ? AND `scope` = ? AND `deletedAt` IS NULL ORDER BY `id` FOR UPDATE',
  transaction: true,
  protocol: 'execute',
  params: (s) => [s.organizationId as number, 1],
  then: (s, { rows }) => {
    s.administrators = rows.map((row) => Number(row.userId));
  },
};

/** The caller's row share-locked, so that its rights hold until the commit (not for oneself). */
const lockCaller: Statement = {
  name: 'lock caller',
  sql:
    `SELECT ${MEMBERSHIP_COLUMNS} FROM \`memberships\` m ` +
    'WHERE m.`organizationId` = ? AND m.`userId` = ? LOCK IN SHARE MODE',
  transaction: true,
  protocol: 'execute',
  when: (s) => s.targetUserId !== s.claims.userId,
  params: (s) => [s.organizationId as number, s.claims.userId],
};

const lockTarget: Statement = {
  name: 'lock target',
  sql:
    `SELECT ${MEMBERSHIP_COLUMNS} FROM \`memberships\` m ` +
    'WHERE m.`organizationId` = ? AND m.`userId` = ? FOR UPDATE',
  transaction: true,
  protocol: 'execute',
  params: (s) => [s.organizationId as number, s.targetUserId],
  then: (s, { rows }) => judge(s, (rows[0] as unknown as MembershipRow | undefined) ?? null),
};

/** Whether the optimistic UPDATE also requires the caller's row unchanged (not for oneself). */
const joinsCaller = (s: RequestState, optimistic: boolean) =>
  optimistic && s.targetUserId !== s.claims.userId;

/**
 * Every changeable column, the unchanged ones with the values read (one statement text for every
 * body, as the app's memberships.repository.ts writes them), in the app's order.
 */
const WRITTEN = [
  'firstName',
  'lastName',
  'professionId',
  'scope',
  'permissionGroupId',
  'readGroupIds',
  'manageGroupIds',
] as const;

/** The UPDATE, conditional on the version read; `optimistic` turns a miss into the fallback. */
function update(optimistic: boolean): Statement {
  const assignments =
    WRITTEN.map((column) => `t.\`${column}\` = ?, `).join('') +
    't.`updatedAt` = ?, t.`version` = t.`version` + 1';
  return {
    name: 'update',
    // The organization row is read too: a PATCH racing an archive commits first or writes nothing.
    sql: (s) =>
      'UPDATE `memberships` t ' +
      (joinsCaller(s, optimistic)
        ? 'JOIN `memberships` a ON a.`id` = ? AND a.`version` = ? '
        : '') +
      'JOIN `organizations` o ON o.`id` = ? AND o.`archivedAt` IS NULL SET ' +
      assignments +
      ' WHERE t.`id` = ? AND t.`version` = ?',
    transaction: true,
    protocol: 'execute',
    when: (s) => s.writes === true,
    params: (s) => {
      const target = s.target as MembershipRow;
      const caller = s.caller as MembershipRow;
      return [
        ...(joinsCaller(s, optimistic) ? [caller.id, caller.version] : []),
        s.organizationId as number,
        ...WRITTEN.map((column) => (s.changes as Partial<MembershipRow>)[column] ?? target[column]),
        toDatabaseTimestamp(s.now),
        target.id,
        target.version,
      ];
    },
    then: (_s, { affectedRows }) => {
      if (affectedRows === 1) return;
      if (optimistic) throw new StaleRow();
      throw new HttpError(409, 'CONFLICT');
    },
  };
}

const audit: Statement = {
  name: 'audit',
  sql:
    'INSERT INTO `audit_events` ' +
    '(`organizationId`, `actorUserId`, `actorClientId`, `targetUserId`, `invitationId`, ' +
    '`action`, `changes`, `requestId`, `createdAt`, `eventId`, `data`) VALUES ' +
    '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  transaction: true,
  protocol: 'execute',
  when: (s) => s.writes === true,
  params: (s) => {
    const target = s.target as MembershipRow;
    const changes: Record<string, { before: unknown; after: unknown }> = {};
    for (const field of ['firstName', 'lastName', 'scope'] as const) {
      const after = s.changes[field];
      if (after !== undefined && after !== target[field]) {
        changes[field] = { before: target[field], after };
      }
    }
    return [
      Number(target.organizationId),
      s.claims.userId,
      null,
      Number(target.userId),
      null,
      'membership.updated',
      JSON.stringify(changes),
      s.requestId,
      toDatabaseTimestamp(s.now),
      uuidv7(),
      JSON.stringify({ membership: membershipView(resultingRow(s)) }),
    ];
  },
};

const commit: Statement = { name: 'commit', sql: 'COMMIT', transaction: true, protocol: 'query' };

const writing = (statement: Statement): Statement => ({
  ...statement,
  when: (s) => s.writes === true && (statement.when?.(s) ?? true),
});

/** A profile change (firstName / lastName): 5 statements, 10 when the row changed meanwhile. */
export const PROFILE: Plan = {
  statements: [session(true), writing(begin), update(true), audit, writing(commit)],
  fallback: [begin, lockCaller, lockTarget, update(false), audit, commit],
};

/** A scope change: 7 statements (the administrators' lock keeps the last-administrator rule). */
export const SCOPE: Plan = {
  statements: [session(false), begin, lockAdministrators, lockTarget, update(false), audit, commit],
};

export function planFor(changes: Changes): Plan {
  return changes.scope !== undefined ? SCOPE : PROFILE;
}

/** The target must be an active member; then the app's rules for who may change what. */
function judge(s: RequestState, target: MembershipRow | null): void {
  if (target === null || target.deletedAt !== null) {
    throw new HttpError(404, 'MEMBERSHIP_NOT_FOUND');
  }
  const caller = s.caller as MembershipRow;
  const administrator =
    Number(caller.scope) === 1 &&
    (s.administrators === undefined || s.administrators.includes(s.claims.userId));
  const profile = s.changes.firstName !== undefined || s.changes.lastName !== undefined;
  if (profile) {
    const self = Number(caller.userId) === Number(target.userId);
    const manages =
      target.permissionGroupId !== null &&
      (JSON.parse(caller.manageGroupIds) as number[]).includes(Number(target.permissionGroupId));
    if (!self && !administrator && !manages) throw new HttpError(403, 'PROFILE_CHANGE_FORBIDDEN');
  }
  if (s.changes.scope !== undefined && !administrator) {
    throw new HttpError(403, 'SCOPE_CHANGE_FORBIDDEN');
  }
  const { firstName, lastName, scope } = s.changes;
  s.target = target;
  s.writes =
    (firstName !== undefined && firstName !== target.firstName) ||
    (lastName !== undefined && lastName !== target.lastName) ||
    (scope !== undefined && scope !== Number(target.scope));
  if (
    s.writes &&
    s.administrators !== undefined &&
    Number(target.scope) === 1 &&
    scope === 2 &&
    s.administrators.length <= 1
  ) {
    throw new HttpError(409, 'LAST_ADMIN');
  }
}

/** The response is built from the row read and the changes, without reading it back. */
export function resultingRow(s: RequestState): MembershipRow {
  const target = s.target as MembershipRow;
  if (!s.writes) return target;
  return {
    ...target,
    ...s.changes,
    version: Number(target.version) + 1,
    updatedAt: s.now,
  };
}
