import { describeDatabase } from './database-connector';
import { databaseProblem, errorSummary, permanentConnectProblem } from './database-errors';

describe('describeDatabase', () => {
  it('names database, host, port and user, never the password', () => {
    const text = describeDatabase({
      type: 'mysql',
      url: 'mysql://app%20user:s3cr%40t@db.internal:3307/users_organizations?charset=utf8mb4',
      poolSize: 10,
      statementTimeoutMs: 2500,
      poolTimeoutMs: 1500,
      defaultIssuer: '',
    });
    expect(text).toBe("database 'users_organizations' at db.internal:3307 as user 'app user'");
    expect(text).not.toMatch(/s3cr/);
  });

  it('gives the default port when the URL has none', () => {
    const database = {
      poolSize: 1,
      statementTimeoutMs: 100,
      poolTimeoutMs: 100,
      defaultIssuer: '',
    };
    expect(describeDatabase({ type: 'mysql', url: 'mysql://root@h/db', ...database })).toBe(
      "database 'db' at h:3306 as user 'root'",
    );
  });

  it('names the SQLite file', () => {
    expect(
      describeDatabase({ type: 'better-sqlite3', path: 'var/x.sqlite', defaultIssuer: '' }),
    ).toBe('the SQLite file var/x.sqlite');
  });
});

describe('permanentConnectProblem', () => {
  it.each([
    ['ER_ACCESS_DENIED_ERROR', /access denied: check the user and password/],
    ['ER_ACCESS_DENIED_NO_PASSWORD_ERROR', /access denied: check the user and password/],
    ['ER_BAD_DB_ERROR', /does not exist: create it with `npm run db:create`/],
    ['ER_DBACCESS_DENIED_ERROR', /may not use this database/],
    ['ER_TABLEACCESS_DENIED_ERROR', /may not create or change the tables/],
  ])('says what to fix for %s', (code, text) => {
    expect(permanentConnectProblem({ code })).toMatch(text);
    expect(permanentConnectProblem({ driverError: { code } })).toMatch(text);
  });

  it.each(['ECONNREFUSED', 'ETIMEDOUT', 'ENOTFOUND', 'ER_CON_COUNT_ERROR', undefined])(
    'leaves %s to the retries (the server may come)',
    (code) => {
      expect(permanentConnectProblem({ code })).toBeNull();
    },
  );

  it('leaves what a concurrent migration explains to the retries (another instance migrating)', () => {
    expect(permanentConnectProblem({ code: 'ER_TABLE_EXISTS_ERROR' })).toBeNull();
    expect(permanentConnectProblem({ driverError: { code: 'ER_DUP_ENTRY' } })).toBeNull();
  });

  it('leaves an error without a code to the retries', () => {
    expect(permanentConnectProblem(new Error('Pool is closed.'))).toBeNull();
    expect(permanentConnectProblem(new Error('something else'))).toBeNull();
  });
});

describe('databaseProblem', () => {
  it('says what to check when nothing answers', () => {
    expect(databaseProblem({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' })).toBe(
      'nothing listens there (ECONNREFUSED): start MySQL, or fix the host and port in DATABASE_URL',
    );
    expect(databaseProblem({ code: 'ENOTFOUND' })).toMatch(/fix the host in DATABASE_URL/);
    expect(databaseProblem({ code: 'ER_BAD_DB_ERROR' })).toMatch(/npm run db:create/);
    expect(databaseProblem({ code: 'ER_LOCK_DEADLOCK', message: 'Deadlock found' })).toBe(
      'Deadlock found',
    );
  });
});

describe('errorSummary', () => {
  it('is never empty: an AggregateError of a refused host name says what its first error says', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED ::1:3306'), {
      code: 'ECONNREFUSED',
    });
    expect(errorSummary(new AggregateError([refused], ''))).toBe('connect ECONNREFUSED ::1:3306');
    expect(errorSummary(Object.assign(new Error(''), { code: 'ETIMEDOUT' }))).toBe('ETIMEDOUT');
    expect(errorSummary(new TypeError(''))).toBe('TypeError');
    expect(errorSummary('plain')).toBe('plain');
  });
});
