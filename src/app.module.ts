import { DynamicModule, Module } from '@nestjs/common';
import { AuthModule } from './auth/auth.module';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { UsersOrganizationsModule } from './users-organizations/users-organizations.module';

@Module({})
export class AppModule {
  /** Built from a validated config, so tests can boot the real module with their own. */
  static forRoot(config: AppConfig, extraModules: DynamicModule['imports'] = []): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule,
        AuthModule,
        UsersOrganizationsModule,
        HealthModule,
        ...extraModules,
      ],
    };
  }
}
