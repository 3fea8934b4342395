import { DynamicModule, Global, Module, Provider } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config';
import { buildDataSourceOptions } from './data-source-options';
import { DATABASE_CONNECTED, DatabaseConnectedHook, DatabaseConnector } from './database-connector';
import { DatabaseMetrics } from './database-metrics';
import { DatabaseService, sqlEngineFor } from './database.service';
import { SQL_ENGINE } from './sql-engine';

export interface DatabaseModuleOptions {
  /**
   * Run after every successful connection and migration (the composition root loads the demo
   * data into an empty embedded database with it); given the config, it returns the hook.
   */
  onConnected?: (config: AppConfig) => DatabaseConnectedHook;
}

/** The connection (made by DatabaseConnector, with retries) and the migrations. */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(options: DatabaseModuleOptions = {}): DynamicModule {
    const hook: Provider = {
      provide: DATABASE_CONNECTED,
      inject: [AppConfig],
      useFactory: (config: AppConfig): DatabaseConnectedHook | null =>
        options.onConnected?.(config) ?? null,
    };
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [AppConfig],
          useFactory: (config: AppConfig) => ({
            ...buildDataSourceOptions(config.database),
            // Entities come from each module's TypeOrmModule.forFeature.
            autoLoadEntities: true,
            // DatabaseConnector connects, so that a database down at start does not stop the app.
            manualInitialization: true,
          }),
        }),
      ],
      providers: [
        { provide: SQL_ENGINE, inject: [DataSource, AppConfig], useFactory: sqlEngineFor },
        DatabaseService,
        DatabaseConnector,
        DatabaseMetrics,
        hook,
      ],
      exports: [DatabaseService, DatabaseConnector],
    };
  }
}
