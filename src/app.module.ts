import { DynamicModule, Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { AuditEventsModule } from './audit-events/audit-events.module';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { CataloguesModule } from './catalogues/catalogues.module';
import { LoggingModule, LoggingOptions } from './common/logging/logging.module';
import { MetricsModule } from './common/metrics/metrics.module';
import { RateLimitModule } from './common/rate-limit/rate-limit.module';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { loadDemoDataIntoEmbedded } from './demo/seed-demo';
import { HealthModule } from './health/health.module';
import { InvitationsModule } from './invitations/invitations.module';
import { OrganizationsModule } from './organizations/organizations.module';
import { UsersModule } from './users/users.module';
import { RetentionModule } from './retention/retention.module';
import { MemberSessionResolver } from './users-organizations/member-session.resolver';
import { UsersOrganizationsModule } from './users-organizations/users-organizations.module';

@Module({})
export class AppModule {
  /** Built from a validated config, so tests can boot the real module with their own. */
  static forRoot(
    config: AppConfig,
    extraModules: DynamicModule['imports'] = [],
    logging: LoggingOptions = {},
  ): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(config, logging),
        MetricsModule,
        RateLimitModule,
        DatabaseModule.forRoot({ onConnected: loadDemoDataIntoEmbedded }),
        EventEmitterModule.forRoot(),
        AuditModule,
        UsersModule,
        AuthModule.forRoot({ sessionContext: MemberSessionResolver }),
        AuditEventsModule,
        UsersOrganizationsModule,
        InvitationsModule,
        CataloguesModule,
        OrganizationsModule,
        HealthModule,
        RetentionModule,
        ...extraModules,
      ],
    };
  }
}
