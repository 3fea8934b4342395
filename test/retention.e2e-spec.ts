import { execFile } from 'node:child_process';
import diagnosticsChannel from 'node:diagnostics_channel';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { SchedulerRegistry } from '@nestjs/schedule';
import { createConnection } from 'mysql2/promise';
import { NOT_YET, toDatabaseTimestamp } from '../src/database/columns';
import { DatabaseService } from '../src/database/database.service';
import { SQL_STATEMENT_CHANNEL, SqlStatementMessage } from '../src/database/sql-statements';
import { RETENTION_JOB } from '../src/retention/retention.scheduler';
import {
  PURGE_BATCH_SIZE,
  PurgeResult,
  RetentionService,
} from '../src/retention/retention.service';
import { ENGINES, Engine, MYSQL_SERVER } from './support/databases';
import { NO_RATE_LIMITS, startTestApp, TestApp } from './support/test-app';
import { LOG_GUARD } from './support/log-guard';
import { testStatements } from './support/sql-catalogue';

// Retention (DESIGN 12): sessions 7 days after they end, audit rows past AUDIT_RETENTION_DAYS,
// in batches of at most 1,000 rows, one instance at a time.
const DAY = 86_400_000;
const ago = (days: number) => toDatabaseTimestamp(new Date(Date.now() - days * DAY));
const ALICE = 1;

const apps: TestApp[] = [];
async function app(engine: Engine, env: Record<string, string> = {}, databaseUrl?: string) {
  const started = await startTestApp(engine, {
    env: { ...NO_RATE_LIMITS, RETENTION_SCHEDULE: 'off', ...env },
    databaseUrl,
    demo: databaseUrl === undefined,
  });
  apps.push(started);
  return started;
}
afterEach(async () => {
  // The instances sharing a database first, the one that created it last.
  for (const started of apps.splice(0).reverse()) await started.close();
});

const database = (t: TestApp) => testStatements(t.app.get(DatabaseService));
/** The DATABASE_URL of an app, for a second instance or a CLI on the same database. */
const urlOf = ({ config: { database } }: TestApp) =>
  database.type === 'mysql' ? database.url : `sqlite:${database.path}`;
const retention = (t: TestApp) => t.app.get(RetentionService);

interface SessionRow {
  id: string;
  expiresAt: string;
  revokedAt?: string | null;
}

/** Sessions of alice in organization 1, inserted 1,000 per statement. */
async function insertSessions(t: TestApp, rows: SessionRow[]): Promise<void> {
  for (let start = 0; start < rows.length; start += 1000) {
    const chunk = rows.slice(start, start + 1000);
    await database(t).execute(
      'INSERT INTO `sessions` (`id`, `userId`, `organizationId`, `createdAt`, `expiresAt`, `revokedAt`) VALUES ' +
        chunk.map(() => '(?, ?, 1, ?, ?, ?)').join(', '),
      chunk.flatMap((row) => [row.id, ALICE, ago(40), row.expiresAt, row.revokedAt ?? null]),
    );
  }
}

function expiredSessions(count: number, prefix = randomBytes(4).toString('hex')): SessionRow[] {
  return Array.from({ length: count }, (_, index) => ({
    id: `${prefix}-${index}`,
    expiresAt: ago(8 + (index % 20)),
  }));
}

async function sessionIds(t: TestApp, prefix: string): Promise<string[]> {
  const rows = await database(t).query<{ id: string }>(
    'SELECT `id` FROM `sessions` WHERE `id` LIKE ? ORDER BY `id`',
    [`${prefix}%`],
  );
  return rows.map((row) => row.id);
}

/** Audit rows whose events have left (relayed), unless `relayed` is false. Returns their ids. */
async function insertAuditEvents(
  t: TestApp,
  ages: Record<string, number>,
  relayed = true,
): Promise<number[]> {
  const ids: number[] = [];
  for (const [requestId, days] of Object.entries(ages)) {
    await database(t).execute(
      'INSERT INTO `audit_events` (`organizationId`, `actorUserId`, `targetUserId`, `action`, `changes`, `requestId`, `createdAt`, `relayedAt`) ' +
        "VALUES (1, 1, 1, 'membership.updated', '{}', ?, ?, ?)",
      [requestId, ago(days), relayed ? ago(days) : NOT_YET],
    );
    const [row] = await database(t).query<{ id: number | string }>(
      'SELECT `id` FROM `audit_events` WHERE `requestId` = ?',
      [requestId],
    );
    ids.push(Number(row?.id));
  }
  return ids;
}

async function auditRequestIds(t: TestApp, prefix: string): Promise<string[]> {
  const rows = await database(t).query<{ requestId: string }>(
    'SELECT `requestId` FROM `audit_events` WHERE `requestId` LIKE ? ORDER BY `requestId`',
    [`${prefix}%`],
  );
  return rows.map((row) => row.requestId);
}

describe.each(ENGINES)('retention on %s', (engine) => {
  it('deletes sessions 7 days after they ended and audit rows past AUDIT_RETENTION_DAYS, nothing inside', async () => {
    const t = await app(engine, { AUDIT_RETENTION_DAYS: '30' });
    await insertSessions(t, [
      { id: 'keep-active', expiresAt: ago(-1) },
      { id: 'keep-expired-6-days', expiresAt: ago(6) },
      { id: 'keep-revoked-6-days', expiresAt: ago(-1), revokedAt: ago(6) },
      { id: 'purge-expired-8-days', expiresAt: ago(8) },
      { id: 'purge-revoked-8-days', expiresAt: ago(-1), revokedAt: ago(8) },
      { id: 'purge-expired-and-revoked', expiresAt: ago(9), revokedAt: ago(10) },
    ]);
    await insertAuditEvents(t, {
      'audit-keep-29': 29,
      'audit-purge-31': 31,
      'audit-purge-3650': 3650,
    });

    const result = await retention(t).purge();
    expect(result).toEqual({
      ran: true,
      deleted: {
        'expired sessions': 2,
        'revoked sessions': 1,
        'expired invitations': 0,
        'audit events': 2,
      },
      batches: {
        'expired sessions': 1,
        'revoked sessions': 1,
        'expired invitations': 1,
        'audit events': 1,
      },
    });
    expect(await sessionIds(t, 'keep-')).toEqual([
      'keep-active',
      'keep-expired-6-days',
      'keep-revoked-6-days',
    ]);
    expect(await sessionIds(t, 'purge-')).toEqual([]);
    expect(await auditRequestIds(t, 'audit-')).toEqual(['audit-keep-29']);
    // The demo's own sessions and memberships are untouched; a second purge finds nothing.
    expect((await retention(t).purge()).deleted).toEqual({
      'expired sessions': 0,
      'revoked sessions': 0,
      'expired invitations': 0,
      'audit events': 0,
    });
  });

  it('keeps an old audit row until its event has left: not relayed, queued for NATS, or a webhook delivery pending', async () => {
    const t = await app(engine, { AUDIT_RETENTION_DAYS: '1' });
    // Another instance holds the relay's lease, so this one leaves the outbox as it is. The lease
    // is taken from under this instance, which says so if its relay looks before it closes.
    LOG_GUARD.allow(/Another instance (holds the relay lease|took over the event relay)/);
    await database(t).execute(
      "UPDATE `event_relay_leases` SET `holder` = 'elsewhere', `expiresAt` = ? WHERE `name` = 'relay'",
      [ago(-1)],
    );
    await insertAuditEvents(t, { 'outbox-unrelayed': 40 }, false);
    const [queued, pending, delivered] = await insertAuditEvents(t, {
      'outbox-queued': 40,
      'outbox-pending': 40,
      'outbox-delivered': 40,
    });
    await database(t).execute('INSERT INTO `event_broker_queue` (`auditEventId`) VALUES (?)', [
      queued,
    ]);
    const now = ago(0);
    await database(t).execute(
      'INSERT INTO `webhook_endpoints` (`organizationId`, `url`, `events`, `secret`, `enabled`, `createdAt`, `updatedAt`) ' +
        "VALUES (1, 'https://hooks.retention.example/in', '[]', 'whsec_x', 1, ?, ?)",
      [now, now],
    );
    const [endpoint] = await database(t).query<{ id: number | string }>(
      "SELECT `id` FROM `webhook_endpoints` WHERE `url` = 'https://hooks.retention.example/in'",
    );
    for (const [auditEventId, status] of [
      [pending, 'pending'],
      [delivered, 'succeeded'],
    ] as const) {
      await database(t).execute(
        'INSERT INTO `webhook_deliveries` (`endpointId`, `auditEventId`, `status`, `attempts`, `nextAttemptAt`, `createdAt`, `updatedAt`) ' +
          'VALUES (?, ?, ?, 1, ?, ?, ?)',
        [Number(endpoint?.id), auditEventId, status, now, now, now],
      );
    }

    expect((await retention(t).purge()).deleted['audit events']).toBe(1);
    expect(await auditRequestIds(t, 'outbox-')).toEqual([
      'outbox-pending',
      'outbox-queued',
      'outbox-unrelayed',
    ]);
    // Closed within the test, where its relay's line about the lease is declared.
    apps.splice(apps.indexOf(t), 1);
    await t.close();
  });

  it('deletes invitations 30 days after they expired, never an accepted one', async () => {
    const t = await app(engine);
    const insert = (email: string, expiredDaysAgo: number, acceptedAt: string | null) =>
      database(t).execute(
        'INSERT INTO `invitations` (`organizationId`, `email`, `emailKey`, `scope`, `firstName`, ' +
          '`lastName`, `readGroupIds`, `manageGroupIds`, `tokenHash`, `expiresAt`, `acceptedAt`, ' +
          "`acceptedByUserId`, `createdAt`, `updatedAt`) VALUES (1, ?, ?, 2, 'F', 'L', '[]', '[]', ?, ?, ?, ?, ?, ?)",
        [
          email,
          email,
          randomBytes(32).toString('hex'),
          ago(expiredDaysAgo),
          acceptedAt,
          acceptedAt === null ? null : ALICE,
          ago(expiredDaysAgo + 7),
          ago(expiredDaysAgo + 7),
        ],
      );
    await insert('purge-31@retention.example', 31, null);
    await insert('keep-29@retention.example', 29, null);
    await insert('keep-accepted-40@retention.example', 40, ago(45));
    const result = await retention(t).purge();
    expect(result.deleted['expired invitations']).toBe(1);
    const left = await database(t).query<{ email: string }>(
      "SELECT `email` FROM `invitations` WHERE `email` LIKE '%@retention.example' ORDER BY `email`",
    );
    expect(left.map((row) => row.email)).toEqual([
      'keep-29@retention.example',
      'keep-accepted-40@retention.example',
    ]);
  });

  it('keeps audit rows forever by default, and deletes in batches of at most 1,000 rows', async () => {
    const t = await app(engine);
    await insertAuditEvents(t, { 'audit-ancient': 36000 });
    await insertSessions(t, expiredSessions(2_500, 'batch'));
    const deletes: string[] = [];
    const record = (message: unknown) => {
      const { sql } = message as SqlStatementMessage;
      if (sql.startsWith('DELETE')) deletes.push(sql);
    };
    diagnosticsChannel.subscribe(SQL_STATEMENT_CHANNEL.name, record);
    let result: PurgeResult;
    try {
      result = await retention(t).purge();
    } finally {
      diagnosticsChannel.unsubscribe(SQL_STATEMENT_CHANNEL.name, record);
    }
    expect(result.deleted).toEqual({
      'expired sessions': 2_500,
      'revoked sessions': 0,
      'expired invitations': 0,
    });
    // 1,000 + 1,000 + 500, then one empty batch each for revoked sessions and invitations.
    expect(result.batches).toEqual({
      'expired sessions': 3,
      'revoked sessions': 1,
      'expired invitations': 1,
    });
    expect(deletes).toHaveLength(5);
    for (const sql of deletes) expect(sql).toContain(`LIMIT ${PURGE_BATCH_SIZE}`);
    expect(await sessionIds(t, 'batch')).toEqual([]);
    expect(await auditRequestIds(t, 'audit-')).toEqual(['audit-ancient']);
  });

  it('keeps answering the PATCH while it purges 100,000 rows', async () => {
    const t = await app(engine);
    await insertSessions(t, expiredSessions(100_000, 'bulk'));
    const alice = await t.login('alice', 1);
    let purged: PurgeResult | undefined;
    const purge = retention(t)
      .purge()
      .then((result) => (purged = result));
    const statuses: number[] = [];
    while (purged === undefined) {
      const response = await t
        .http()
        .patch('/users-organizations/v1/rs/users/me')
        .set(alice)
        .send({ firstName: `During purge ${statuses.length}` });
      if (purged === undefined) statuses.push(response.status);
    }
    await purge;
    expect(purged.deleted['expired sessions']).toBe(100_000);
    expect(purged.batches['expired sessions']).toBe(101);
    // Requests were answered while the purge ran, every one of them successfully.
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.every((status) => status === 200)).toBe(true);
    expect(await sessionIds(t, 'bulk')).toEqual([]);
  });

  it('runs on RETENTION_SCHEDULE, and not at all when it is off', async () => {
    const off = await app(engine);
    expect(off.app.get(SchedulerRegistry).doesExist('cron', RETENTION_JOB)).toBe(false);
    const t = await app(engine, { RETENTION_SCHEDULE: '* * * * * *' });
    expect(t.app.get(SchedulerRegistry).getCronJob(RETENTION_JOB).isActive).toBe(true);
    await insertSessions(t, expiredSessions(3, 'scheduled'));
    // Every second: wait for the next turn (the test's own timeout bounds the wait).
    while ((await sessionIds(t, 'scheduled')).length > 0) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  });
});

describe('one purge at a time', () => {
  it('on MariaDB, a second instance skips while another holds the lock', async () => {
    const first = await app('mariadb');
    const second = await app('mariadb', {}, urlOf(first));
    await insertSessions(first, expiredSessions(5_000, 'shared'));

    // While the first instance is inside its purge (its first DELETE answered), the second tries.
    let during: Promise<PurgeResult> | undefined;
    const onStatement = (message: unknown) => {
      if (during === undefined && (message as SqlStatementMessage).sql.startsWith('DELETE')) {
        during = retention(second).purge();
      }
    };
    diagnosticsChannel.subscribe(SQL_STATEMENT_CHANNEL.name, onStatement);
    let firstResult: PurgeResult;
    try {
      firstResult = await retention(first).purge();
    } finally {
      diagnosticsChannel.unsubscribe(SQL_STATEMENT_CHANNEL.name, onStatement);
    }
    expect(during).toBeDefined();
    expect(await during).toEqual({ ran: false, deleted: {}, batches: {} });
    expect(firstResult.ran).toBe(true);
    expect(firstResult.deleted['expired sessions']).toBe(5_000);
    expect(await sessionIds(first, 'shared')).toEqual([]);
    // Released at the end: the second instance purges next time.
    expect((await retention(second).purge()).ran).toBe(true);

    // Any other holder of the lock (say an instance of another process) counts as well.
    const holder = await createConnection({
      ...MYSQL_SERVER,
      database: new URL(urlOf(first)).pathname.slice(1),
    });
    const lockName = "CONCAT('users-organizations:purge:', LEFT(SHA2(DATABASE(), 256), 32))";
    try {
      const [rows] = await holder.query(`SELECT GET_LOCK(${lockName}, 0) AS \`acquired\``);
      expect((rows as { acquired: number }[])[0].acquired).toBe(1);
      await insertSessions(first, expiredSessions(10, 'locked'));
      expect((await retention(first).purge()).ran).toBe(false);
      expect(await sessionIds(first, 'locked')).toHaveLength(10);
      await holder.query(`SELECT RELEASE_LOCK(${lockName})`);
    } finally {
      await holder.end();
    }
    expect((await retention(first).purge()).deleted['expired sessions']).toBe(10);
  });

  it('on SQLite, a purge that starts while another runs in the process skips', async () => {
    const t = await app('sqlite');
    await insertSessions(t, expiredSessions(3_000, 'overlap'));
    const [one, two] = await Promise.all([retention(t).purge(), retention(t).purge()]);
    expect([one.ran, two.ran].sort()).toEqual([false, true]);
    expect(one.deleted['expired sessions'] ?? two.deleted['expired sessions']).toBe(3_000);
  });
});

describe('npm run purge', () => {
  it('purges the database at DATABASE_URL once and says what it deleted', async () => {
    const t = await app('sqlite');
    await insertSessions(t, expiredSessions(4, 'cli'));
    const output = await new Promise<string>((resolve, reject) => {
      execFile(
        process.execPath,
        [join(__dirname, '..', 'dist', 'cli', 'purge.js')],
        { env: { PATH: process.env.PATH, NODE_ENV: 'test', DATABASE_URL: urlOf(t) } },
        (error, stdout, stderr) =>
          error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout),
      );
    });
    expect(output).toContain(
      'Purged: 4 expired sessions, 0 revoked sessions, 0 expired invitations.',
    );
    expect(await sessionIds(t, 'cli')).toEqual([]);
  });
});
