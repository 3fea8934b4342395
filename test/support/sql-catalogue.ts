import diagnosticsChannel from 'node:diagnostics_channel';
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type {
  DatabaseService,
  SqlExecutor,
  SqlParameter,
  SqlStatementMessage,
} from '../../src/database';

type EngineName = SqlStatementMessage['engine'];

/**
 * Every SQL text the app sends, one line per engine that was seen sending it: `mysql<TAB>sql`
 * or `sqlite<TAB>sql`, IN lists and multi-row VALUES written once (normalizeSql). The catalogue
 * spec prepares each line on its engine; the e2e tests fail on a statement it does not list,
 * and on a SQL literal of src/ that no line contains (it would be a path no test runs).
 */
export const CATALOGUE_PATH = join(__dirname, '..', 'sql-catalogue.txt');

/** Statements tests send themselves through the app's DatabaseService: not the app's SQL. */
export const TEST_ORIGIN = { origin: 'test' };

/** Where a test needs a request's own statement (no origin): a comment that says it is a test's. */
export const TEST_SQL = '/* test */';

export interface CatalogueEntry {
  engine: EngineName;
  sql: string;
}

/** `IN (?, ?, ?)` as `IN (?…)`, `VALUES (?, ?), (?, ?)` as `VALUES (?, ?)…`: one text per shape. */
export function normalizeSql(sql: string): string {
  return sql
    .replace(/IN \((?:\?, )*\?\)/g, 'IN (?…)')
    .replace(/VALUES (\([^()]*\))(?:, \1)*/g, 'VALUES $1…');
}

/** A normalized text made whole again, with two ids per list and two rows per VALUES. */
export function expandSql(sql: string): string {
  return sql.replace(/IN \(\?…\)/g, 'IN (?, ?)').replace(/VALUES (\([^()]*\))…/g, 'VALUES $1, $1');
}

export function entryLine(entry: CatalogueEntry): string {
  return `${entry.engine}\t${entry.sql}`;
}

export function readCatalogue(): CatalogueEntry[] {
  return readFileSync(CATALOGUE_PATH, 'utf8')
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => {
      const tab = line.indexOf('\t');
      return { engine: line.slice(0, tab) as EngineName, sql: line.slice(tab + 1) };
    });
}

/**
 * Watches the statements this test file's apps send and collects those the catalogue does not
 * list. With UPDATE_SQL_CATALOGUE=1 (npm run sql:catalogue) it adds them to the file instead.
 */
export class CatalogueWatch {
  private readonly known = new Set(readCatalogue().map(entryLine));
  private unlisted = new Set<string>();
  private readonly updating = process.env.UPDATE_SQL_CATALOGUE === '1';
  private readonly record = (message: unknown) => {
    const { sql, engine, origin } = message as SqlStatementMessage;
    if (origin === TEST_ORIGIN.origin || sql.startsWith(TEST_SQL)) return;
    const line = entryLine({ engine, sql: normalizeSql(sql) });
    if (this.known.has(line)) return;
    this.known.add(line);
    if (this.updating) appendFileSync(CATALOGUE_PATH, `${line}\n`);
    else this.unlisted.add(line);
  };

  start(): void {
    diagnosticsChannel.subscribe('users-organizations:sql', this.record);
  }

  stop(): void {
    diagnosticsChannel.unsubscribe('users-organizations:sql', this.record);
  }

  /** Throws on the statements sent since the last check that the catalogue does not list. */
  check(when: string): void {
    const unlisted = [...this.unlisted];
    this.unlisted = new Set();
    if (unlisted.length > 0) {
      throw new Error(
        `${when}: the app sent SQL that ${CATALOGUE_PATH} does not list (npm run sql:catalogue ` +
          `adds it; the catalogue spec then prepares it on its engine):\n${unlisted.join('\n')}`,
      );
    }
  }
}

/** The app's DatabaseService for a test's own statements, marked as the test's (TEST_ORIGIN). */
export function testStatements(database: DatabaseService) {
  return {
    query: <Row>(sql: string, parameters: SqlParameter[] = []) =>
      database.query<Row>(sql, parameters, TEST_ORIGIN),
    execute: (sql: string, parameters: SqlParameter[] = []) =>
      database.execute(sql, parameters, TEST_ORIGIN),
    transaction: <T>(work: (executor: SqlExecutor) => Promise<T>) =>
      database.transaction(work, TEST_ORIGIN),
  };
}
