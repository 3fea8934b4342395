/** The connection, its statements and deadlines, column helpers and the migrations. */
export * from './columns';
export * from './data-source-options';
export * from './database-connector';
export * from './database-errors';
export * from './database.module';
export * from './database.service';
export * from './sqlite-dialect';
