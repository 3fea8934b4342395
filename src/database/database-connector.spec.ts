import { describeDatabase } from './database-connector';
import { permanentConnectProblem } from './database-errors';

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
    ['ER_BAD_DB_ERROR', /does not exist/],
    ['ER_DBACCESS_DENIED_ERROR', /may not use this database/],
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
});
