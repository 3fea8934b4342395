import { DataSource, DataSourceOptions } from 'typeorm';
import { adaptEntitiesToSqlite, buildDataSourceOptions } from '../src/database';
import { ENGINES } from './support/databases';
import { startTestApp, TestApp } from './support/test-app';

/**
 * The schema is described twice: by the TypeORM entities each module registers, and by the
 * migrations. Against a database the migrations built, TypeORM's schema builder must find
 * nothing to change, on both engines: an entity that drifts from its migration fails here. The
 * builder reads MariaDB with TypeORM's MariaDB dialect (the app's `mysql` one takes MariaDB's
 * NULL defaults for the text 'NULL').
 */
describe.each(ENGINES)('entities and migrations agree on %s', (engine) => {
  let t: TestApp;
  let reader: DataSource;

  beforeAll(async () => {
    t = await startTestApp(engine, { demo: false });
    const options = buildDataSourceOptions(t.config.database, t.dataSource.options.entities);
    reader = new DataSource(
      engine === 'mariadb' ? ({ ...options, type: 'mariadb' } as DataSourceOptions) : options,
    );
    await reader.initialize();
    adaptEntitiesToSqlite(reader);
  });
  afterAll(async () => {
    await reader?.destroy();
    await t.close();
  });

  it('registers an entity for every table the migrations made', async () => {
    const tables = (await reader.createQueryRunner().getTables())
      .map((table) => table.name)
      // Only this database's own tables (MariaDB lists the system schemas' as `schema.table`).
      .filter((name) => name !== 'migrations' && !name.includes('.') && !name.startsWith('sqlite_'))
      .sort();
    expect(reader.entityMetadatas.map((entity) => entity.tableName).sort()).toEqual(tables);
  });

  it('leaves the schema builder nothing to do after the migrations', async () => {
    const pending = await reader.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((query) => query.query)).toEqual([]);
  });
});
