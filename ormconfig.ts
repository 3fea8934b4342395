// The TypeORM CLI's DataSource (`typeorm -d ormconfig.ts` under ts-node, or the compiled
// dist/database/cli-data-source.js), for its own commands such as migration:generate;
// `npm run migration:run` and `migration:revert` use dist/cli/migrate.js, which says less.
export { default } from './src/database/cli-data-source';
