import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Pool, PoolConnection } from 'mysql2';
import ts from 'typescript';
import type { MysqlDriver } from 'typeorm/driver/mysql/MysqlDriver';
import type { BetterSqlite3Driver } from 'typeorm/driver/better-sqlite3/BetterSqlite3Driver';
import { REPO_ROOT } from './support/processes';
import { CatalogueEntry, entryLine, expandSql, readCatalogue } from './support/sql-catalogue';
import { startTestApp, TestApp } from './support/test-app';

/**
 * Every SQL text the app sends, as test/sql-catalogue.txt lists them, is prepared on the engine
 * that sent it, against the migrated schema: a statement the engine refuses (a syntax it does
 * not know, a column that is not there) fails here even when no test runs its path. The e2e
 * tests fail on a statement the catalogue does not list (test/support/e2e.setup.ts), and the
 * last test here on a SQL literal of src/ that no catalogued statement contains.
 */
const catalogue = readCatalogue();

/** The SQL pieces written in src/ (string and template literals), outside migrations and specs. */
function sqlLiteralsOfSource(): { file: string; text: string }[] {
  const found: { file: string; text: string }[] = [];
  const walk = (directory: string) => {
    for (const name of readdirSync(directory)) {
      const path = join(directory, name);
      if (statSync(path).isDirectory()) {
        if (name !== 'migrations') walk(path);
      } else if (name.endsWith('.ts') && !name.endsWith('.spec.ts')) {
        const source = ts.createSourceFile(
          path,
          readFileSync(path, 'utf8'),
          ts.ScriptTarget.Latest,
        );
        const visit = (node: ts.Node) => {
          if (
            ts.isStringLiteral(node) ||
            ts.isNoSubstitutionTemplateLiteral(node) ||
            ts.isTemplateHead(node) ||
            ts.isTemplateMiddle(node) ||
            ts.isTemplateTail(node)
          ) {
            if (looksLikeSql(node.text))
              found.push({ file: relative(REPO_ROOT, path), text: node.text });
          }
          ts.forEachChild(node, visit);
        };
        visit(source);
      }
    }
  };
  walk(join(REPO_ROOT, 'src'));
  return found;
}

const SQL_WORDS =
  /\b(SELECT|INSERT INTO|UPDATE|DELETE|FROM|WHERE|JOIN|ORDER BY|GROUP BY|LIMIT|VALUES|SET|AND|OR|ON|AS|IN|IS NULL|FOR UPDATE|LOCK IN SHARE MODE|COUNT|UNION|EXISTS|NOT)\b/;

/** An uppercase SQL word beside a backtick-quoted name or a placeholder. */
function looksLikeSql(text: string): boolean {
  return SQL_WORDS.test(text) && /`[A-Za-z_][A-Za-z0-9_]*`|\?/.test(text);
}

describe('the SQL catalogue (test/sql-catalogue.txt)', () => {
  it('is sorted, without repeats, one engine and one statement per line', () => {
    const lines = catalogue.map(entryLine);
    expect(lines).toEqual([...new Set(lines)].sort());
    for (const entry of catalogue) expect(['mysql', 'sqlite']).toContain(entry.engine);
    expect(catalogue.length).toBeGreaterThan(50);
  });

  describe.each(['mysql', 'sqlite'] as const)('on %s', (engine) => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp(engine === 'mysql' ? 'mariadb' : 'sqlite', { demo: false });
    });
    afterAll(() => t?.close());

    it('prepares every statement the app sends on this engine', async () => {
      const entries = catalogue.filter((entry) => entry.engine === engine);
      expect(entries.length).toBeGreaterThan(50);
      const refused: string[] = [];
      const prepare = await preparer(t, engine);
      try {
        for (const entry of entries) {
          const error = await prepare(expandSql(entry.sql));
          if (error !== null) refused.push(`${error}: ${entry.sql}`);
        }
      } finally {
        prepare.release();
      }
      expect(refused).toEqual([]);
    });
  });

  it('lists a statement holding every SQL piece written in src/', () => {
    const texts = catalogue.map((entry: CatalogueEntry) => entry.sql);
    const whole = texts.map(expandSql);
    const missing = sqlLiteralsOfSource().filter(
      ({ text }) =>
        !texts.some((sql) => sql.includes(text)) && !whole.some((sql) => sql.includes(text)),
    );
    expect(missing.map(({ file, text }) => `${file}: ${JSON.stringify(text)}`)).toEqual([]);
  });
});

type Prepare = ((sql: string) => Promise<string | null>) & { release(): void };

/** Prepares (and drops) statements on one connection of the app's own database. */
async function preparer(t: TestApp, engine: 'mysql' | 'sqlite'): Promise<Prepare> {
  if (engine === 'sqlite') {
    const database = (t.dataSource.driver as BetterSqlite3Driver).databaseConnection as {
      prepare(sql: string): unknown;
    };
    return Object.assign(
      (sql: string) => {
        try {
          database.prepare(sql);
          return Promise.resolve(null);
        } catch (error) {
          return Promise.resolve((error as Error).message);
        }
      },
      { release: () => undefined },
    );
  }
  const pool = (t.dataSource.driver as MysqlDriver).pool as Pool;
  const connection = await new Promise<PoolConnection>((resolve, reject) =>
    pool.getConnection((error, acquired) => (error ? reject(error) : resolve(acquired))),
  );
  return Object.assign(
    (sql: string) =>
      new Promise<string | null>((resolve) =>
        connection.prepare(sql, (error, statement) => {
          if (error) return resolve(error.message);
          statement.close();
          resolve(null);
        }),
      ),
    { release: () => connection.release() },
  );
}
