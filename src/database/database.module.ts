import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config';
import { buildDataSourceOptions } from './data-source-options';
import { DatabaseConnector } from './database-connector';
import { DatabaseService } from './database.service';

/** The connection (made by DatabaseConnector, with retries), migrations and demo data. */
@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        ...buildDataSourceOptions(config.database),
        // DatabaseConnector connects, so that a database down at start does not stop the app.
        manualInitialization: true,
      }),
    }),
  ],
  providers: [DatabaseService, DatabaseConnector],
  exports: [DatabaseService],
})
export class DatabaseModule {}
