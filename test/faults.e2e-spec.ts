import { randomBytes } from 'node:crypto';
import { IncomingHttpHeaders, request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { Connection, createConnection, RowDataPacket } from 'mysql2/promise';
import { createTestDatabase, mysqlUrl, MYSQL_SERVER, TestDatabase } from './support/databases';
import {
  cleanEnv,
  freePort,
  isRefusingConnections,
  killAllProcesses,
  NodeProcess,
  RawResponse,
  REPO_ROOT,
  runNode,
  sleep,
  SplitRequest,
} from './support/processes';
import { TcpProxy } from './support/tcp-proxy';
import {
  bearerToken,
  PRODUCTION_IDENTITY,
  TEST_BEARER_SECRET,
  TEST_SESSION_SECRET,
} from './support/tokens';

/**
 * Faults, each against a real process of the built app (`node dist/main.js`, built by
 * `npm test`'s pretest) on the real MariaDB server, reached through a TCP proxy the test controls:
 * the database is cut, slowed down, made to hang or locked by a test connection, never stopped
 * (other suites share the server). Every request has a deadline, so a hang fails as a timeout
 * instead of stalling the suite; every case ends with what the database holds, checked against
 * what the app answered: the audit trail is written in the change's own transaction with the
 * request id, so "a 200 without its row change" and "a row change without its 200" are queries.
 *
 * MariaDB only: the embedded database cannot go away under a running process.
 */

const MAIN = join(REPO_ROOT, 'dist', 'main.js');
const SEED_CLI = join(REPO_ROOT, 'dist', 'cli', 'seed-demo.js');
const API = '/users-organizations/v1/rs';
/** Every answer must arrive within this (generous: a request beyond capacity takes milliseconds). */
const REQUEST_TIMEOUT_MS = 10_000;
const START_TIMEOUT_MS = 60_000;
/** SIGTERM to exit, in-flight requests included. */
const GRACE_PERIOD_MS = 10_000;
/** Longest wait for the app to reconnect: its retry backoff tops out at 10 s. */
const RECOVERY_TIMEOUT_MS = 30_000;
const CASE_TIMEOUT_MS = 120_000;
/** Case 1b: how long the database hangs, longer than any deadline of the app. */
const HANG_MS = 12_000;
/**
 * Case 2: a pool of 2 admits 2 + 8 queued (the app's queue limit is 4 × the pool) requests. At
 * 150 ms per round trip (a PATCH makes 5) the last admitted one waits about 5 × 0.75 s: inside
 * the deadline with room to spare. (At 300 ms, measured: the queued ones took 4 to over 10 s.)
 */
const SLOW_DATABASE_LATENCY_MS = 150;
const POOL_SIZE = 2;
const CAPACITY = POOL_SIZE * 5;
const BURST = 60;

interface Member {
  subject: string;
  userId: number;
  organizationId: number;
}

/** The demo members with an active membership (erin's is deleted). */
const MEMBERS: Member[] = [
  { subject: 'alice', userId: 1, organizationId: 1 },
  { subject: 'bob', userId: 2, organizationId: 1 },
  { subject: 'carol', userId: 3, organizationId: 1 },
  { subject: 'dave', userId: 4, organizationId: 2 },
];
const ALICE = MEMBERS[0];

// ---------------------------------------------------------------------------------------------
// HTTP: one connection per request (no pooling to blur what was in flight), always a deadline.
// ---------------------------------------------------------------------------------------------

type Outcome =
  | { kind: 'reply'; status: number; headers: IncomingHttpHeaders; body: string; ms: number }
  | { kind: 'timeout'; ms: number }
  | { kind: 'error'; code: string; ms: number };

interface CallOptions {
  headers?: Record<string, string>;
  body?: unknown;
  timeoutMs?: number;
  /** Called once the whole request has been handed to the socket. */
  onSent?: () => void;
}

function call(port: number, method: string, path: string, options: CallOptions = {}) {
  const started = Date.now();
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise<Outcome>((resolve) => {
    let settled = false;
    const settle = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const request = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent: false,
        headers: {
          ...options.headers,
          ...(payload === undefined
            ? {}
            : {
                'content-type': 'application/json',
                'content-length': String(Buffer.byteLength(payload)),
              }),
          connection: 'close',
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', (error: NodeJS.ErrnoException) =>
          settle({ kind: 'error', code: error.code ?? error.message, ms: Date.now() - started }),
        );
        response.on('end', () =>
          settle({
            kind: 'reply',
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            ms: Date.now() - started,
          }),
        );
      },
    );
    const timer = setTimeout(() => {
      settle({ kind: 'timeout', ms: Date.now() - started });
      request.destroy();
    }, options.timeoutMs ?? REQUEST_TIMEOUT_MS);
    request.on('error', (error: NodeJS.ErrnoException) =>
      settle({ kind: 'error', code: error.code ?? error.message, ms: Date.now() - started }),
    );
    request.on('finish', () => options.onSent?.());
    request.end(payload);
  });
}

const statusOf = (outcome: Outcome): number | string =>
  outcome.kind === 'reply' ? outcome.status : outcome.kind === 'timeout' ? 'timeout' : outcome.code;

/** A 503 as the issue requires it: problem+json, Retry-After, the DATABASE_UNAVAILABLE code. */
function isUnavailableProblem(outcome: Outcome): boolean {
  if (outcome.kind !== 'reply' || outcome.status !== 503) return false;
  let code: unknown;
  try {
    code = (JSON.parse(outcome.body) as { code?: unknown }).code;
  } catch {
    code = undefined;
  }
  return (
    String(outcome.headers['content-type']).startsWith('application/problem+json') &&
    /^\d+$/.test(String(outcome.headers['retry-after'])) &&
    code === 'DATABASE_UNAVAILABLE' &&
    !/SELECT|UPDATE|INSERT|memberships|ECONN|\n\s+at /.test(outcome.body)
  );
}

/** What came back, by status; a 503 that is not the documented problem counts as malformed. */
class Tally {
  sent = 0;
  readonly byStatus = new Map<string, number>();
  malformed503 = 0;
  readonly unavailableMs: number[] = [];
  readonly okMs: number[] = [];

  /** `dataRoute`: a 503 must be the DATABASE_UNAVAILABLE problem (readiness has its own body). */
  record(outcome: Outcome, dataRoute = true): Outcome {
    this.sent++;
    const key = String(statusOf(outcome));
    this.byStatus.set(key, (this.byStatus.get(key) ?? 0) + 1);
    if (dataRoute && outcome.kind === 'reply' && outcome.status === 503) {
      if (isUnavailableProblem(outcome)) this.unavailableMs.push(outcome.ms);
      else this.malformed503++;
    }
    if (outcome.kind === 'reply' && outcome.status === 200) this.okMs.push(outcome.ms);
    return outcome;
  }

  count(status: number | string): number {
    return this.byStatus.get(String(status)) ?? 0;
  }

  /** 5xx answers other than 503. */
  get other5xx(): number {
    return [...this.byStatus].reduce(
      (total, [key, count]) => total + (/^5\d\d$/.test(key) && key !== '503' ? count : 0),
      0,
    );
  }

  /** Every outcome outside `allowed` (statuses, or 'timeout' / connection error codes). */
  unexpected(allowed: (number | string)[]): Record<string, number> {
    const wanted = new Set(allowed.map(String));
    return Object.fromEntries([...this.byStatus].filter(([key]) => !wanted.has(key)));
  }

  describe(): string {
    const parts = [...this.byStatus]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, count]) => `${key}×${count}`);
    const timing = (label: string, values: number[]) =>
      values.length === 0
        ? []
        : [`${label} median ${median(values)} ms, max ${Math.max(...values)} ms`];
    return [
      parts.join(', '),
      ...timing('503', this.unavailableMs),
      ...timing('200', this.okMs),
    ].join('; ');
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function waitFor(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  intervalMs = 50,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(intervalMs);
  }
}

/** `concurrency` loops sending requests until `stop()` or `maxRequests` were sent in all. */
async function runLoad(options: {
  concurrency: number;
  maxRequests: number;
  stop: () => boolean;
  send: (index: number) => Promise<unknown>;
}): Promise<void> {
  let next = 0;
  const loop = async () => {
    while (!options.stop() && next < options.maxRequests) await options.send(next++);
  };
  await Promise.all(Array.from({ length: options.concurrency }, loop));
}

// ---------------------------------------------------------------------------------------------
// The database, read directly on the server (never through a proxy).
// ---------------------------------------------------------------------------------------------

let database: TestDatabase;
let databaseName: string;

const connectDirectly = (): Promise<Connection> =>
  createConnection({ ...MYSQL_SERVER, database: databaseName });

/** One statement, on `on` or else on a connection of its own. */
async function query<Row>(sql: string, parameters: unknown[] = [], on?: Connection) {
  const connection = on ?? (await connectDirectly());
  try {
    const [rows] = await connection.query<RowDataPacket[]>(sql, parameters);
    return rows as Row[];
  } finally {
    if (on === undefined) await connection.end();
  }
}

interface Permissions {
  group: number | null;
  read: number[];
  manage: number[];
}

/** The fields a PATCH can change, plus the version every change bumps. */
interface MembershipState {
  firstName: string;
  lastName: string;
  professionId: number | null;
  scope: number;
  permissions: Permissions;
  version: number;
}

async function membershipStates(on?: Connection): Promise<Map<number, MembershipState>> {
  const rows = await query<{
    userId: number;
    firstName: string;
    lastName: string;
    professionId: number | null;
    scope: number;
    permissionGroupId: number | null;
    readGroupIds: string;
    manageGroupIds: string;
    version: number;
  }>(
    'SELECT `userId`, `firstName`, `lastName`, `professionId`, `scope`, `permissionGroupId`, ' +
      '`readGroupIds`, `manageGroupIds`, `version` FROM `memberships` WHERE `deletedAt` IS NULL',
    [],
    on,
  );
  return new Map(
    rows.map((row) => [
      Number(row.userId),
      {
        firstName: row.firstName,
        lastName: row.lastName,
        professionId: row.professionId === null ? null : Number(row.professionId),
        scope: Number(row.scope),
        permissions: {
          group: row.permissionGroupId === null ? null : Number(row.permissionGroupId),
          read: JSON.parse(row.readGroupIds) as number[],
          manage: JSON.parse(row.manageGroupIds) as number[],
        },
        version: Number(row.version),
      },
    ]),
  );
}

type FieldChanges = Partial<Record<keyof MembershipState, { before: unknown; after: unknown }>>;

interface AuditEvent {
  requestId: string;
  targetUserId: number;
  changes: FieldChanges;
}

async function auditEvents(prefix: string, on?: Connection): Promise<AuditEvent[]> {
  const rows = await query<{ requestId: string; targetUserId: number; changes: string }>(
    "SELECT `requestId`, `targetUserId`, `changes` FROM `audit_events` WHERE `action` LIKE '%updated%' " +
      'AND `requestId` LIKE ? ORDER BY `id`',
    [`${prefix}%`],
    on,
  );
  return rows.map((row) => ({
    requestId: row.requestId,
    targetUserId: Number(row.targetUserId),
    changes: JSON.parse(row.changes) as FieldChanges,
  }));
}

// ---------------------------------------------------------------------------------------------
// One case: its requests (each with its own request id), what came back, what the DB holds.
// ---------------------------------------------------------------------------------------------

interface SentChange {
  requestId: string;
  targetUserId: number;
  body: Partial<MembershipState>;
  outcome?: Outcome;
}

interface Integrity {
  /** Answered 200, but the change is not in the database. */
  lost: string[];
  /** In the database, but answered with an error (or not at all). */
  unconfirmed: string[];
  /** A row that is not its starting state with exactly the audited changes applied. */
  corrupted: string[];
  events: number;
  describe(): string;
}

interface SummaryRow {
  name: string;
  sent: string;
  faults: string;
  cameBack: string;
  database: string;
  requests: number;
  faultsInjected: number;
  other5xx: number;
  rowsLostOrCorrupted: number;
}

const summary: SummaryRow[] = [];

class FaultCase {
  readonly tally = new Tally();
  readonly changes = new Map<string, SentChange>();
  readonly prefix = `f${randomBytes(3).toString('hex')}-`;
  faultsInjected = 0;
  private counter = 0;

  constructor(readonly name: string) {}

  /** PATCH /users/{me|id} with a fresh request id, recorded with its outcome. */
  async patch(
    port: number,
    as: Member,
    body: Partial<MembershipState>,
    options: { target?: number; onSent?: () => void; timeoutMs?: number } = {},
  ): Promise<Outcome> {
    const requestId = `${this.prefix}${++this.counter}`;
    const change: SentChange = { requestId, targetUserId: options.target ?? as.userId, body };
    this.changes.set(requestId, change);
    const outcome = await call(port, 'PATCH', `${API}/users/${options.target ?? 'me'}`, {
      headers: { ...sessions[as.subject], 'x-request-id': requestId },
      body,
      onSent: options.onSent,
      timeoutMs: options.timeoutMs,
    });
    change.outcome = outcome;
    return this.tally.record(outcome);
  }

  /** A PATCH of the member's own first name, unique to this request. */
  rename(port: number, as: Member, options: { onSent?: () => void } = {}): Promise<Outcome> {
    const firstName = `${as.subject}-${this.prefix}${this.counter + 1}`;
    return this.patch(port, as, { firstName }, options);
  }

  /** Any other request, counted with the rest. */
  async send(port: number, method: string, path: string, options: CallOptions = {}) {
    return this.tally.record(await call(port, method, path, options), !path.startsWith('/health'));
  }

  /**
   * Compares the database with the answers: each 200 has its audited change, each audited change
   * was answered 200, and each row is its `before` state with exactly the audited changes (and
   * `outside`, changes the test itself made) applied in order, one version each.
   */
  async integrity(
    before: Map<number, MembershipState>,
    outside: { targetUserId: number; changes: Partial<MembershipState> }[] = [],
  ): Promise<Integrity> {
    // One snapshot: the audit trail and the rows as of the same instant.
    const connection = await connectDirectly();
    let events: AuditEvent[];
    let actual: Map<number, MembershipState>;
    try {
      await connection.query('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY');
      events = await auditEvents(this.prefix, connection);
      actual = await membershipStates(connection);
      await connection.query('COMMIT');
    } finally {
      await connection.end();
    }
    const byRequest = new Map(events.map((event) => [event.requestId, event]));
    const lost: string[] = [];
    const unconfirmed: string[] = [];
    const corrupted: string[] = [];
    for (const change of this.changes.values()) {
      const ok = change.outcome?.kind === 'reply' && change.outcome.status === 200;
      const event = byRequest.get(change.requestId);
      if (ok && event === undefined) lost.push(change.requestId);
      if (!ok && event !== undefined) {
        unconfirmed.push(
          `${change.requestId} (${change.outcome ? statusOf(change.outcome) : '-'})`,
        );
      }
      // An audited change holds only fields the request sent, with the values it sent (a field
      // already equal to the value sent is not a change, so it may be absent).
      for (const [field, values] of Object.entries(event?.changes ?? {})) {
        const sent = change.body[field as keyof MembershipState];
        if (JSON.stringify(values?.after) !== JSON.stringify(sent)) {
          corrupted.push(`${change.requestId}: audited ${field}=${JSON.stringify(values?.after)}`);
        }
      }
    }
    const expected = new Map(
      [...before].map(([userId, state]) => [userId, structuredClone(state)]),
    );
    const apply = (userId: number, changes: Partial<MembershipState>) => {
      const state = expected.get(userId);
      if (state === undefined) return;
      Object.assign(state, changes);
      state.version++;
    };
    for (const change of outside) apply(change.targetUserId, change.changes);
    for (const event of events) {
      apply(
        event.targetUserId,
        Object.fromEntries(
          Object.entries(event.changes).map(([field, values]) => [field, values?.after]),
        ),
      );
    }
    for (const [userId, state] of expected) {
      const row = actual.get(userId);
      if (JSON.stringify(row) !== JSON.stringify(state)) {
        corrupted.push(
          `user ${userId}: expected ${JSON.stringify(state)}, found ${JSON.stringify(row)}`,
        );
      }
    }
    return {
      lost,
      unconfirmed,
      corrupted,
      events: events.length,
      describe: () =>
        `${events.length} changes committed (audited with their request id); 200s without their change: ${lost.length}; ` +
        `changes committed without a 200: ${unconfirmed.length}; every row = its start + exactly the committed changes: ${corrupted.length === 0 ? 'yes' : 'NO'}`,
    };
  }

  report(
    row: Omit<
      SummaryRow,
      'name' | 'requests' | 'faultsInjected' | 'other5xx' | 'rowsLostOrCorrupted'
    >,
    integrity: Integrity,
  ) {
    summary.push({
      name: this.name,
      ...row,
      requests: this.tally.sent,
      faultsInjected: this.faultsInjected,
      other5xx: this.tally.other5xx,
      rowsLostOrCorrupted: integrity.lost.length + integrity.corrupted.length,
    });
  }
}

// ---------------------------------------------------------------------------------------------
// The app processes and their proxies.
// ---------------------------------------------------------------------------------------------

const proxies: TcpProxy[] = [];
const sessions: Record<string, Record<string, string>> = {};

async function newProxy(): Promise<TcpProxy> {
  const proxy = new TcpProxy(MYSQL_SERVER.host, MYSQL_SERVER.port);
  proxies.push(proxy);
  await proxy.start();
  return proxy;
}

interface RunningApp {
  child: NodeProcess;
  port: number;
}

const isLive = (port: number) =>
  fetch(`http://127.0.0.1:${port}/health/live`).then(
    (response) => response.ok,
    () => false,
  );

/**
 * `node dist/main.js` in production mode; rate limits off, so only the database can refuse.
 * Resolves once it says "Serving on" (connected and migrated), or with `listening` once it
 * answers on its port: with the database away it listens, but says nothing of serving.
 */
async function startApp(
  databasePort: number,
  variables: Record<string, string> = {},
  until: 'serving' | 'listening' = 'serving',
) {
  const port = await freePort();
  const child = new NodeProcess([MAIN], {
    env: cleanEnv({
      NODE_ENV: 'production',
      ...PRODUCTION_IDENTITY,
      PORT: String(port),
      DATABASE_URL: mysqlUrl(databaseName, '127.0.0.1', databasePort),
      AUTH_JWT_SECRET: TEST_BEARER_SECRET,
      SESSION_TOKEN_SECRET: TEST_SESSION_SECRET,
      LOG_LEVEL: 'info',
      RATE_LIMIT_PER_USER_PER_MINUTE: '0',
      RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '0',
      RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '0',
      ...variables,
    }),
  });
  if (until === 'serving') {
    await child.waitForStdout(/Serving on/, START_TIMEOUT_MS);
  } else {
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!(await isLive(port))) {
      if (child.hasExited || Date.now() > deadline) throw new Error(`Not live${child.output()}`);
      await sleep(100);
    }
  }
  return { child, port } satisfies RunningApp;
}

/** The app must never have logged an unhandled error (what a 500 would come from). */
function unhandledErrors(app: RunningApp): string[] {
  return (app.child.stdout + app.child.stderr)
    .split('\n')
    .filter((line) => /Unhandled error|UnhandledPromiseRejection|uncaughtException/.test(line));
}

/** Polls until `path` answers `status`; the number of polls it took, or null if it never did. */
async function pollUntil(
  probe: () => Promise<Outcome>,
  status: number,
  timeoutMs = RECOVERY_TIMEOUT_MS,
): Promise<{ polls: number; ms: number } | null> {
  const started = Date.now();
  let polls = 0;
  const reached = await waitFor(
    async () => {
      polls++;
      const outcome = await probe();
      return outcome.kind === 'reply' && outcome.status === status;
    },
    timeoutMs,
    250,
  );
  return reached ? { polls, ms: Date.now() - started } : null;
}

beforeAll(async () => {
  database = await createTestDatabase('mariadb');
  databaseName = new URL(database.url).pathname.slice(1);
  // Schema and demo data, straight on the server.
  const seed = await runNode([SEED_CLI], {
    env: cleanEnv({ DATABASE_URL: database.url, ...PRODUCTION_IDENTITY }),
    timeoutMs: START_TIMEOUT_MS,
  });
  expect({ code: seed.code, stderr: seed.stderr }).toEqual({ code: 0, stderr: '' });

  // Sessions for every member, opened once while the database is up: the app keeps them in the
  // database, so every later process (and the one started while the database is down) accepts
  // them.
  const proxy = await newProxy();
  const app = await startApp(proxy.port);
  try {
    for (const member of MEMBERS) {
      const bearer = bearerToken(member.subject, {
        expiresIn: 3600,
        issuer: PRODUCTION_IDENTITY.AUTH_JWT_ISSUER,
        audience: PRODUCTION_IDENTITY.AUTH_JWT_AUDIENCE,
      });
      const outcome = await call(app.port, 'POST', `${API}/sessions`, {
        headers: { authorization: `Bearer ${bearer}` },
        body: { organizationId: member.organizationId },
      });
      if (outcome.kind !== 'reply' || outcome.status !== 201) {
        throw new Error(`No session for ${member.subject}: ${JSON.stringify(outcome)}`);
      }
      const { data } = JSON.parse(outcome.body) as { data: { sessionToken: string } };
      sessions[member.subject] = {
        authorization: `Bearer ${bearer}`,
        'x-session-token': data.sessionToken,
      };
    }
  } finally {
    await app.child.stop();
    await proxy.stop();
  }
}, START_TIMEOUT_MS * 2);

afterAll(async () => {
  await killAllProcesses();
  for (const proxy of proxies) {
    proxy.resume();
    await proxy.stop();
  }
  await database?.drop();
  if (summary.length > 0) console.log(summaryTable());
});

function summaryTable(): string {
  const escape = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const lines = [
    '| Case | What was sent | Faults injected | What came back | What the database held afterwards | Requests | Faults | 5xx other than 503 | Rows lost or corrupted |',
    '|---|---|---|---|---|---|---|---|---|',
    ...summary
      .map((row) =>
        [
          row.name,
          row.sent,
          row.faults,
          row.cameBack,
          row.database,
          row.requests,
          row.faultsInjected,
          row.other5xx,
          row.rowsLostOrCorrupted,
        ]
          .map((cell) => escape(String(cell)))
          .join(' | '),
      )
      .map((line) => `| ${line} |`),
  ];
  const total = (key: 'requests' | 'faultsInjected' | 'other5xx' | 'rowsLostOrCorrupted') =>
    summary.reduce((sum, row) => sum + row[key], 0);
  lines.push(
    `| **Total** | | | | | ${total('requests')} | ${total('faultsInjected')} | ${total('other5xx')} | ${total('rowsLostOrCorrupted')} |`,
  );
  return `Faults (test/faults.e2e-spec.ts), MariaDB through a test-controlled TCP proxy:\n\n${lines.join('\n')}\n`;
}

/**
 * A fresh process behind its own proxy, with every member's PATCH answered 200 once; `before`
 * is what the database held before those.
 */
async function startServing(fault: FaultCase, variables: Record<string, string> = {}) {
  const proxy = await newProxy();
  const app = await startApp(proxy.port, variables);
  const before = await membershipStates();
  expect((await renameEachMember(fault, app)).map(statusOf)).toEqual(MEMBERS.map(() => 200));
  return { proxy, app, before };
}

/** One PATCH of its own firstName per member, in turn. */
async function renameEachMember(fault: FaultCase, app: RunningApp): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (const member of MEMBERS) outcomes.push(await fault.rename(app.port, member));
  return outcomes;
}

/** What the two health probes answer now. */
async function probeHealth(fault: FaultCase, app: RunningApp) {
  const live = await fault.send(app.port, 'GET', '/health/live');
  const ready = await fault.send(app.port, 'GET', '/health/ready');
  return { live, ready };
}

/**
 * `startServing`, then 20 PATCHes kept in flight until `stopLoad()`; `served` says whether 60
 * of them were answered 200 first.
 */
async function underLoad(fault: FaultCase) {
  const { proxy, app, before } = await startServing(fault);
  let stop = false;
  const load = runLoad({
    concurrency: 20,
    maxRequests: 1000,
    stop: () => stop,
    send: (index) => fault.rename(app.port, MEMBERS[index % MEMBERS.length]),
  });
  const served = await waitFor(() => fault.tally.count(200) >= 60, 30_000);
  const stopLoad = async () => {
    stop = true;
    await load;
  };
  return { proxy, app, before, served, stopLoad };
}

/** After a fault: every member served again by the same process, nothing lost or corrupted. */
function expectServingIntact(app: RunningApp, afterwards: Outcome[], integrity: Integrity): void {
  expect(afterwards.map(statusOf)).toEqual(MEMBERS.map(() => 200));
  expect(app.child.hasExited).toBe(false);
  expect(unhandledErrors(app)).toEqual([]);
  expect({ lost: integrity.lost, corrupted: integrity.corrupted }).toEqual({
    lost: [],
    corrupted: [],
  });
}

// ---------------------------------------------------------------------------------------------
// The cases.
// ---------------------------------------------------------------------------------------------

describe('faults against a real process on MariaDB', () => {
  it(
    'the database stops under load: 200 or 503 problem+json with Retry-After, no hang, the ' +
      'process stays up, and it serves again without a restart',
    async () => {
      const fault = new FaultCase('1. Database stops under load');
      const { proxy, app, before, served, stopLoad } = await underLoad(fault);

      await proxy.stop();
      fault.faultsInjected++;
      const unavailableBefore = fault.tally.count(503);
      const refused = await waitFor(
        () => fault.tally.count(503) >= unavailableBefore + 200,
        30_000,
      );
      // Still under load: the process answers, and says it is not ready.
      const { live, ready } = await probeHealth(fault, app);
      await stopLoad();

      await proxy.start();
      const recovered = await pollUntil(() => fault.rename(app.port, ALICE), 200);
      const readyAgain = await pollUntil(() => fault.send(app.port, 'GET', '/health/ready'), 200);
      const afterwards = await renameEachMember(fault, app);
      const integrity = await fault.integrity(before);

      fault.report(
        {
          sent: `${fault.tally.sent} requests: PATCH /users/me (own firstName) from 4 members, 20 in flight, plus health probes`,
          faults:
            'proxy stopped (open connections cut, new ones refused) while under load, then restarted',
          cameBack: `${fault.tally.describe()}; while down /health/live ${statusOf(live)}, /health/ready ${statusOf(ready)}; serving again after ${recovered?.ms ?? '—'} ms without a restart`,
          database: integrity.describe(),
        },
        integrity,
      );

      expect({ served, refused }).toEqual({ served: true, refused: true });
      expect(fault.tally.unexpected([200, 503])).toEqual({});
      expect(fault.tally.other5xx).toBe(0);
      expect(fault.tally.malformed503).toBe(0);
      expect({ live: statusOf(live), ready: statusOf(ready) }).toEqual({ live: 200, ready: 503 });
      expect(recovered).not.toBeNull();
      expect(readyAgain).not.toBeNull();
      expectServingIntact(app, afterwards, integrity);
      await app.child.stop();
    },
    CASE_TIMEOUT_MS,
  );

  it(
    'the database hangs under load (connections open, nothing answers): every request is ' +
      'answered 200 or 503 within the deadline, and it serves again when the database answers',
    async () => {
      const fault = new FaultCase('1b. Database hangs under load');
      const { proxy, app, before, served, stopLoad } = await underLoad(fault);

      proxy.pause();
      fault.faultsInjected++;
      await sleep(HANG_MS);
      // Still under load: the process answers, and says it is not ready.
      const { live, ready } = await probeHealth(fault, app);
      await stopLoad();

      proxy.resume();
      const recovered = await pollUntil(() => fault.rename(app.port, ALICE), 200);
      const afterwards = await renameEachMember(fault, app);
      const integrity = await fault.integrity(before);

      fault.report(
        {
          sent: `${fault.tally.sent} requests: PATCH /users/me (own firstName) from 4 members, 20 in flight, plus health probes`,
          faults: `proxy paused for ${HANG_MS / 1000} s under load (connections stay open, nothing is forwarded), then resumed`,
          cameBack: `${fault.tally.describe()}; while hung /health/live ${statusOf(live)}, /health/ready ${statusOf(ready)}; serving again after ${recovered?.ms ?? '—'} ms without a restart`,
          database: integrity.describe(),
        },
        integrity,
      );

      expect(served).toBe(true);
      // A timeout here is a request that waited past REQUEST_TIMEOUT_MS: the hang reached it.
      expect(fault.tally.unexpected([200, 503])).toEqual({});
      expect(fault.tally.count(503)).toBeGreaterThan(0);
      expect(fault.tally.malformed503).toBe(0);
      expect({ live: statusOf(live), ready: statusOf(ready) }).toEqual({ live: 200, ready: 503 });
      expect(recovered).not.toBeNull();
      expectServingIntact(app, afterwards, integrity);
      await app.child.stop();
    },
    CASE_TIMEOUT_MS,
  );

  it(
    'a slow database and an exhausted pool: requests beyond capacity get 503 fast instead of ' +
      'piling up, and the app recovers',
    async () => {
      const fault = new FaultCase('2. Slow database, exhausted pool');
      const { proxy, app, before } = await startServing(fault, {
        DATABASE_POOL_SIZE: String(POOL_SIZE),
      });

      proxy.latencyMs = SLOW_DATABASE_LATENCY_MS;
      fault.faultsInjected++;
      // One request alone on the slow database: what each admitted request costs.
      const alone = await fault.rename(app.port, ALICE);
      const burst = await Promise.all(
        Array.from({ length: BURST }, (_, index) =>
          fault.rename(app.port, MEMBERS[index % MEMBERS.length]),
        ),
      );
      const burstTally = new Tally();
      for (const outcome of burst) burstTally.record(outcome);

      proxy.latencyMs = 0;
      const recovered = await pollUntil(() => fault.rename(app.port, ALICE), 200);
      const afterwards = [
        ...(await renameEachMember(fault, app)),
        ...(await renameEachMember(fault, app)),
      ];
      const integrity = await fault.integrity(before);

      fault.report(
        {
          sent: `${fault.tally.sent} requests: one PATCH /users/me alone, then a burst of ${BURST} concurrent ones (4 members) with DATABASE_POOL_SIZE=${POOL_SIZE} (so ${CAPACITY} admitted: pool + queue limit), then sequential ones`,
          faults: `${SLOW_DATABASE_LATENCY_MS} ms added to every chunk from the database during the burst`,
          cameBack: `alone: ${statusOf(alone)} in ${alone.ms} ms; burst: ${burstTally.describe()}; after the latency was removed: ${afterwards.map(statusOf).join(' ')}`,
          database: integrity.describe(),
        },
        integrity,
      );

      expect(statusOf(alone)).toBe(200);
      // Every answer within the request deadline: nothing piled up past it.
      expect(burstTally.unexpected([200, 503])).toEqual({});
      // Those beyond capacity were turned away at once (a few more may have found a free slot).
      expect(burstTally.count(503)).toBeGreaterThanOrEqual(BURST - 2 * CAPACITY);
      expect(burstTally.count(200)).toBeGreaterThan(0);
      expect(fault.tally.other5xx).toBe(0);
      expect(fault.tally.malformed503).toBe(0);
      expect(recovered).not.toBeNull();
      expect(afterwards.map(statusOf)).toEqual(Array.from({ length: 8 }, () => 200));
      expect(unhandledErrors(app)).toEqual([]);
      expect(integrity).toMatchObject({ lost: [], unconfirmed: [], corrupted: [] });
      await app.child.stop();
    },
    CASE_TIMEOUT_MS,
  );

  it(
    'SIGTERM under load: readiness turns false, in-flight requests complete and commit, ' +
      'nothing is cut mid-transaction, the process exits 0 within the grace period',
    async () => {
      const fault = new FaultCase('3. SIGTERM under load');
      const { proxy, app, before } = await startServing(fault);

      // Readiness probes that arrive during the shutdown: connected now, completed later.
      const probe = () =>
        new SplitRequest(
          app.port,
          `GET /health/ready HTTP/1.1\r\nHost: 127.0.0.1:${app.port}\r\nConnection: close\r\n`,
          '\r\n',
        );
      const probes = [probe(), probe()];
      try {
        await Promise.all(probes.map((request) => request.connected));
        proxy.latencyMs = 150;
        let sent = 0;
        const inFlight = Array.from({ length: 12 }, (_, index) =>
          fault.rename(app.port, MEMBERS[index % MEMBERS.length], { onSent: () => sent++ }),
        );
        expect(await waitFor(() => sent === inFlight.length, 5_000)).toBe(true);
        // Read by the server by now, and waiting on the slow database.
        await sleep(300);
        const answeredBeforeSignal = fault.tally.sent - MEMBERS.length;

        const signalled = Date.now();
        expect(app.child.child.kill('SIGTERM')).toBe(true);
        fault.faultsInjected++;
        const refusing = await waitFor(() => isRefusingConnections(app.port), 5_000, 20);
        const refusedAfterMs = Date.now() - signalled;
        probes[0].finish();
        const readiness: RawResponse = await probes[0].response;
        const firstDone = await Promise.race(inFlight);
        probes[1].finish();
        const readinessLater: RawResponse = await probes[1].response;
        const outcomes = await Promise.all(inFlight);
        const exit = await app.child.waitForExit(GRACE_PERIOD_MS);
        const exitedAfterMs = Date.now() - signalled;
        const integrity = await fault.integrity(before);

        fault.report(
          {
            sent: `${inFlight.length} PATCH /users/me in flight (4 members) when SIGTERM arrived, 2 readiness probes mid-request`,
            faults: 'SIGTERM, with 150 ms added to every chunk from the database',
            cameBack: `in flight: ${outcomes.map(statusOf).join(' ')}; readiness during shutdown ${readiness.status} and ${readinessLater.status}; new connections refused after ${refusedAfterMs} ms; exit ${JSON.stringify(exit)} after ${exitedAfterMs} ms`,
            database: integrity.describe(),
          },
          integrity,
        );

        expect(answeredBeforeSignal).toBe(0);
        expect(refusing).toBe(true);
        expect(readiness.status).toBe(503);
        expect(readinessLater.status).toBe(503);
        expect(statusOf(firstDone)).toBe(200);
        expect(outcomes.map(statusOf)).toEqual(inFlight.map(() => 200));
        expect({ exit, output: exit?.code === 0 ? '' : app.child.output() }).toEqual({
          exit: { code: 0, signal: null },
          output: '',
        });
        expect(unhandledErrors(app)).toEqual([]);
        expect(integrity).toMatchObject({ lost: [], unconfirmed: [], corrupted: [] });
        expect(integrity.events).toBe(MEMBERS.length + inFlight.length);
      } finally {
        for (const request of probes) request.destroy();
        await app.child.stop();
      }
    },
    CASE_TIMEOUT_MS,
  );

  it(
    'starting while the database is down: live but not ready, 503 on data routes, then ready ' +
      'and serving once it appears, without a restart',
    async () => {
      const fault = new FaultCase('4. Start while the database is down');
      const proxy = await newProxy();
      await proxy.stop();
      fault.faultsInjected++;
      const before = await membershipStates();
      const app = await startApp(proxy.port, {}, 'listening');
      const { live, ready } = await probeHealth(fault, app);
      const patch = await fault.rename(app.port, ALICE);
      const read = await fault.send(app.port, 'GET', `${API}/users/me`, {
        headers: sessions.alice,
      });
      // Let a retry or two fail first.
      await sleep(1_500);
      const pid = app.child.child.pid;
      await proxy.start();
      const readyAfter = await pollUntil(() => fault.send(app.port, 'GET', '/health/ready'), 200);
      const patchAfter = await fault.rename(app.port, ALICE);
      const integrity = await fault.integrity(before);

      fault.report(
        {
          sent: `${fault.tally.sent} requests: health probes, PATCH and GET /users/me, readiness polls`,
          faults: 'proxy stopped before the process started, started 1.5 s after',
          cameBack: `before: live ${statusOf(live)}, ready ${statusOf(ready)}, PATCH ${statusOf(patch)}, GET ${statusOf(read)}; ready after ${readyAfter ? `${readyAfter.ms} ms (${readyAfter.polls} polls)` : 'never'}; PATCH then ${statusOf(patchAfter)}, same process`,
          database: integrity.describe(),
        },
        integrity,
      );

      expect(statusOf(live)).toBe(200);
      expect(statusOf(ready)).toBe(503);
      expect(isUnavailableProblem(patch)).toBe(true);
      expect(isUnavailableProblem(read)).toBe(true);
      expect(readyAfter).not.toBeNull();
      expect(statusOf(patchAfter)).toBe(200);
      expect(app.child.hasExited).toBe(false);
      expect(app.child.child.pid).toBe(pid);
      expect(app.child.stdout).toMatch(/Connected to the database/);
      expect(fault.tally.other5xx).toBe(0);
      expect(integrity).toMatchObject({ lost: [], unconfirmed: [], corrupted: [] });
      await app.child.stop();
    },
    CASE_TIMEOUT_MS,
  );

  it(
    'starting while the database hangs: the first attempt times out, the app serves (not ' +
      'ready), and becomes ready when the database answers',
    async () => {
      const fault = new FaultCase('4b. Start while the database hangs');
      const proxy = await newProxy();
      proxy.pause();
      fault.faultsInjected++;
      const before = await membershipStates();
      const app = await startApp(proxy.port, {}, 'listening');
      const ready = await fault.send(app.port, 'GET', '/health/ready');
      const patch = await fault.rename(app.port, ALICE);
      proxy.resume();
      const readyAfter = await pollUntil(() => fault.send(app.port, 'GET', '/health/ready'), 200);
      const patchAfter = await fault.rename(app.port, ALICE);
      const integrity = await fault.integrity(before);

      fault.report(
        {
          sent: `${fault.tally.sent} requests: readiness, PATCH /users/me, readiness polls`,
          faults: 'proxy paused (accepts, never answers) before the process started, then resumed',
          cameBack: `before: ready ${statusOf(ready)}, PATCH ${statusOf(patch)}; ready after ${readyAfter ? `${readyAfter.ms} ms` : 'never'}; PATCH then ${statusOf(patchAfter)}`,
          database: integrity.describe(),
        },
        integrity,
      );

      expect(statusOf(ready)).toBe(503);
      expect(isUnavailableProblem(patch)).toBe(true);
      expect(readyAfter).not.toBeNull();
      expect(statusOf(patchAfter)).toBe(200);
      expect(app.child.hasExited).toBe(false);
      expect(fault.tally.other5xx).toBe(0);
      expect(integrity).toMatchObject({ lost: [], unconfirmed: [], corrupted: [] });
      await app.child.stop();
    },
    CASE_TIMEOUT_MS,
  );

  describe('lock waits and deadlocks in the update path', () => {
    let proxy: TcpProxy;
    let app: RunningApp;
    let holders: Connection[] = [];

    /** Test transactions heavier than any of the app's, so InnoDB picks the app's as victim. */
    const BALLAST_ROWS = 2000;
    const ballast = `INSERT INTO \`fault_ballast\` (\`pad\`) VALUES ${Array.from({ length: BALLAST_ROWS }, () => "('x')").join(', ')}`;
    const lockGroup2 = 'SELECT `id` FROM `organization_groups` WHERE `id` = 2 FOR UPDATE';
    const lockAlice = 'SELECT `id` FROM `memberships` WHERE `id` = 1 FOR UPDATE';

    /**
     * Transactions of this database waiting for a lock, with the table they wait on. InnoDB
     * serves these tables from a cache it refreshes only after 100 ms without a read, so
     * polling must be slower than that to see anything new.
     */
    const lockWaits = () =>
      query<{ trxId: string; threadId: number; waitsOn: string | null }>(
        'SELECT t.`trx_id` AS trxId, t.`trx_mysql_thread_id` AS threadId, l.`lock_table` AS waitsOn ' +
          'FROM information_schema.INNODB_TRX t ' +
          'JOIN information_schema.PROCESSLIST p ON p.`ID` = t.`trx_mysql_thread_id` ' +
          'LEFT JOIN information_schema.INNODB_LOCKS l ON l.`lock_id` = t.`trx_requested_lock_id` ' +
          "WHERE t.`trx_state` = 'LOCK WAIT' AND p.`DB` = ?",
        [databaseName],
      );
    const LOCK_POLL_MS = 300;
    /**
     * The transaction of the app (not a test connection) once it waits for a lock on `table`,
     * if it is not `previous` (an attempt already seen); null if none does within 10 s.
     */
    const appWaitsOn = async (table: string, previous?: string): Promise<string | null> => {
      let found: string | null = null;
      await waitFor(
        async () => {
          const testThreads = new Set(holders.map((holder) => holder.threadId));
          const wait = (await lockWaits()).find(
            (candidate) =>
              !testThreads.has(Number(candidate.threadId)) &&
              String(candidate.waitsOn).includes(`\`${table}\``) &&
              String(candidate.trxId) !== previous,
          );
          found = wait === undefined ? null : String(wait.trxId);
          return found !== null;
        },
        10_000,
        LOCK_POLL_MS,
      );
      return found;
    };
    const connectionWaits = (connection: Connection) =>
      waitFor(
        async () =>
          (await lockWaits()).some((wait) => Number(wait.threadId) === connection.threadId),
        10_000,
        LOCK_POLL_MS,
      );
    const deadlockCount = async () => {
      const [row] = await query<{ Value: string }>("SHOW GLOBAL STATUS LIKE 'Innodb_deadlocks'");
      return Number(row.Value);
    };
    /** Runs `sql` on a test connection; true if InnoDB chose that connection as a victim. */
    const victimized = async (connection: Connection, sql: string) => {
      try {
        await connection.query(sql);
        return false;
      } catch (error) {
        if ((error as { code?: string }).code !== 'ER_LOCK_DEADLOCK') throw error;
        return true;
      }
    };

    beforeAll(async () => {
      await query(
        'CREATE TABLE IF NOT EXISTS `fault_ballast` (`id` INT AUTO_INCREMENT PRIMARY KEY, `pad` CHAR(10) NOT NULL) ENGINE=InnoDB',
      );
      proxy = await newProxy();
      app = await startApp(proxy.port);
    }, START_TIMEOUT_MS);
    beforeEach(async () => {
      holders = [await connectDirectly(), await connectDirectly()];
    });
    afterEach(async () => {
      for (const holder of holders) {
        await holder.query('ROLLBACK').catch(() => undefined);
        await holder.end();
      }
    });
    afterAll(async () => {
      await app?.child.stop();
    });

    it('a PATCH waiting on a row lock completes 200 once it is released, nothing lost', async () => {
      const fault = new FaultCase('5a. Row lock held by another transaction');
      const [holder] = holders;
      const before = await membershipStates();
      await holder.query('START TRANSACTION');
      await holder.query(
        "UPDATE `memberships` SET `lastName` = 'Holder', `version` = `version` + 1 WHERE `id` = 1",
      );
      fault.faultsInjected++;
      const patch = fault.patch(app.port, ALICE, { firstName: `Waited-${fault.prefix}` });
      const waited = (await appWaitsOn('memberships')) !== null;
      // Held well past the app's own retry delays: it must wait, not fail.
      await sleep(2_000);
      const unansweredWhileHeld = [...fault.changes.values()][0].outcome === undefined;
      await holder.query('COMMIT');
      const outcome = await patch;
      const integrity = await fault.integrity(before, [
        { targetUserId: 1, changes: { lastName: 'Holder' } },
      ]);
      const row = (await membershipStates()).get(1);

      fault.report(
        {
          sent: 'PATCH /users/me {"firstName":"Waited-…"} as alice',
          faults: "a test transaction updated alice's row and kept it open (row lock held) 2 s",
          cameBack: `${statusOf(outcome)} after ${outcome.ms} ms (the app waited on the lock: ${waited ? 'yes' : 'no'})`,
          database: `row: firstName ${row?.firstName}, lastName ${row?.lastName} (both writes kept, version +2); ${integrity.describe()}`,
        },
        integrity,
      );

      expect(waited).toBe(true);
      expect(unansweredWhileHeld).toBe(true);
      expect(statusOf(outcome)).toBe(200);
      expect(row).toMatchObject({ firstName: `Waited-${fault.prefix}`, lastName: 'Holder' });
      expect(integrity).toMatchObject({ lost: [], unconfirmed: [], corrupted: [] });
    });

    it('a deadlock with the PATCH as its victim is retried and answered 200', async () => {
      const fault = new FaultCase('5b. One deadlock, retried');
      const [holder] = holders;
      const before = await membershipStates();
      const deadlocksBefore = await deadlockCount();
      await holder.query('START TRANSACTION');
      await holder.query(ballast);
      await holder.query(lockGroup2);
      // An administrator-only change: the app locks the administrators' rows and the target,
      // then share-locks the groups the change references: it waits on group 2.
      const permissions: Permissions = { group: 2, read: [1, 2], manage: [2] };
      const patch = fault.patch(app.port, ALICE, { permissions });
      const firstAttempt = await appWaitsOn('organization_groups');
      // Closes the cycle: the test transaction now wants alice's row, which the app holds.
      fault.faultsInjected++;
      const holderVictim = await victimized(holder, lockAlice);
      // The app's attempt was rolled back; its retry starts over and waits on alice's row.
      const retry = await appWaitsOn('memberships', firstAttempt ?? undefined);
      await holder.query('COMMIT');
      const outcome = await patch;
      const deadlocks = (await deadlockCount()) - deadlocksBefore;
      const row = (await membershipStates()).get(1);
      const integrity = await fault.integrity(before);

      fault.report(
        {
          sent: `PATCH /users/me {"permissions":${JSON.stringify(permissions)}} as alice`,
          faults:
            "a test transaction locked group 2, then (the app waiting on it) alice's membership: one deadlock",
          cameBack: `${statusOf(outcome)} after ${outcome.ms} ms; victim: ${holderVictim ? 'the test transaction' : 'the app, whose retry then waited on the row'}; server deadlock count +${deadlocks}`,
          database: `permissions ${JSON.stringify(row?.permissions)}; ${integrity.describe()}`,
        },
        integrity,
      );

      expect({ firstAttempt, holderVictim, retry }).toEqual({
        firstAttempt: expect.any(String),
        holderVictim: false,
        retry: expect.any(String),
      });
      expect(retry).not.toBe(firstAttempt);
      expect(deadlocks).toBeGreaterThanOrEqual(1);
      expect(statusOf(outcome)).toBe(200);
      expect(row?.permissions).toEqual(permissions);
      expect(integrity).toMatchObject({ lost: [], unconfirmed: [], corrupted: [] });
    });

    it('a deadlock on every attempt: retried a bounded number of times, then 503, never 500', async () => {
      const fault = new FaultCase('5c. A deadlock on every attempt');
      const before = await membershipStates();
      const deadlocksBefore = await deadlockCount();
      const permissions: Permissions = { group: 2, read: [2], manage: [] };
      await holders[0].query('START TRANSACTION');
      await holders[0].query(ballast);
      await holders[0].query(lockGroup2);
      const patch = fault.patch(app.port, ALICE, { permissions });
      const rounds: { appWaited: boolean; holderVictim: boolean }[] = [];
      let previous: string | undefined;
      // Two test connections take turns: while one closes a cycle with the app's attempt, the
      // other queues for group 2, so it holds group 2 before the app's next attempt needs it.
      for (let round = 0; round < 3 && !fault.changes.get(`${fault.prefix}1`)?.outcome; round++) {
        const current = holders[round % 2];
        const next = holders[(round + 1) % 2];
        // Each attempt of the app is a new transaction, waiting on group 2 with alice's row held.
        const attempt = await appWaitsOn('organization_groups', previous);
        const appWaited = attempt !== null;
        previous = attempt ?? previous;
        let nextHoldsGroup: Promise<unknown> = Promise.resolve();
        if (round < 2) {
          await next.query('START TRANSACTION');
          await next.query(ballast);
          nextHoldsGroup = next.query(lockGroup2);
          await connectionWaits(next);
        }
        fault.faultsInjected++;
        const holderVictim = await victimized(current, lockAlice);
        rounds.push({ appWaited, holderVictim });
        await current.query('ROLLBACK');
        await nextHoldsGroup;
      }
      const outcome = await patch;
      const deadlocks = (await deadlockCount()) - deadlocksBefore;
      const row = (await membershipStates()).get(1);
      const integrity = await fault.integrity(before);

      fault.report(
        {
          sent: `PATCH /users/me {"permissions":${JSON.stringify(permissions)}} as alice`,
          faults: `two test transactions, taking turns, deadlocked each of the app's attempts (${rounds.length} deadlocks)`,
          cameBack: `${statusOf(outcome)}${isUnavailableProblem(outcome) ? ' DATABASE_UNAVAILABLE problem+json with Retry-After' : ''} after ${outcome.ms} ms; app waited and was the victim each time: ${rounds.every((r) => r.appWaited && !r.holderVictim) ? 'yes' : JSON.stringify(rounds)}; server deadlock count +${deadlocks}`,
          database: `row unchanged: ${JSON.stringify(row) === JSON.stringify(before.get(1)) ? 'yes' : 'NO'}; ${integrity.describe()}`,
        },
        integrity,
      );

      expect(rounds).toEqual([0, 1, 2].map(() => ({ appWaited: true, holderVictim: false })));
      expect(deadlocks).toBeGreaterThanOrEqual(3);
      expect(isUnavailableProblem(outcome)).toBe(true);
      expect(row).toEqual(before.get(1));
      expect(unhandledErrors(app)).toEqual([]);
      expect(integrity).toMatchObject({ lost: [], unconfirmed: [], corrupted: [], events: 0 });
    });

    /**
     * A lock held longer than the app lets one statement run (2.5 s, whatever the server's own
     * innodb_lock_wait_timeout): the PATCH gives up with a 503, drops its connection (which
     * ends its server-side wait and rolls it back), and changes nothing.
     */
    it('a lock held past the statement timeout: 503 problem+json, never 500, nothing changed', async () => {
      const fault = new FaultCase('5d. Lock held past the statement timeout');
      const [holder] = holders;
      const before = await membershipStates();
      await holder.query('START TRANSACTION');
      await holder.query(lockAlice);
      fault.faultsInjected++;
      const outcome = await fault.patch(
        app.port,
        ALICE,
        { firstName: `Timeout-${fault.prefix}` },
        { timeoutMs: 15_000 },
      );
      await holder.query('ROLLBACK');
      const integrity = await fault.integrity(before);

      fault.report(
        {
          sent: 'PATCH /users/me {"firstName":"Timeout-…"} as alice',
          faults: "alice's row locked by a test transaction until the PATCH was answered",
          cameBack: `${statusOf(outcome)}${isUnavailableProblem(outcome) ? ' DATABASE_UNAVAILABLE problem+json with Retry-After' : ''} after ${outcome.ms} ms`,
          database: integrity.describe(),
        },
        integrity,
      );

      expect(isUnavailableProblem(outcome)).toBe(true);
      expect(integrity).toMatchObject({ lost: [], unconfirmed: [], corrupted: [], events: 0 });
    });
  });
});
