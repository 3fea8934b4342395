import type { DataSource } from 'typeorm';

/**
 * The entities describe the MySQL schema. On SQLite the migrations write two things otherwise:
 * auto-increment ids as INTEGER PRIMARY KEY (the one column type SQLite auto-increments) and
 * datetimes without a precision (SQLite keeps the text as written), and no MySQL collations
 * (SQLite compares text byte for byte). This maps an SQLite
 * DataSource's entity metadata to what the migrations made, so TypeORM's own view of the schema
 * (its repositories, its schema builder) matches the database on both engines.
 */
export function adaptEntitiesToSqlite(dataSource: DataSource): void {
  if (dataSource.options.type !== 'better-sqlite3') return;
  for (const entity of dataSource.entityMetadatas) {
    for (const column of entity.columns) {
      if (column.isPrimary && column.isGenerated && column.generationStrategy === 'increment') {
        column.type = 'integer';
      }
      if (column.type === 'datetime') column.precision = undefined;
      column.charset = undefined;
      column.collation = undefined;
    }
  }
}
