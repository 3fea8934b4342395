// The TypeORM CLI's DataSource (`typeorm -d ormconfig.ts` under ts-node, or the compiled
// dist/database/cli-data-source.js that `npm run migration:run` uses).
export { default } from './src/database/cli-data-source';
