import { DynamicModule, Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { AuditEventsModule } from './audit-events';
import { AuditModule } from './audit';
import { AuthzModule } from './authz';
import { AuthModule } from './auth';
import { CataloguesModule } from './catalogues';
import { LoggingModule, LoggingOptions } from './common/logging/logging.module';
import { MetricsModule } from './common/metrics/metrics.module';
import { SwaggerUiAuthorization } from './common/swagger/swagger-ui-authorization';
import { RateLimitModule } from './common/rate-limit/rate-limit.module';
import { AppConfig, ConfigModule } from './config';
import { DatabaseModule } from './database';
import { loadDemoDataIntoEmbedded } from './demo';
import { HealthModule } from './health';
import { InvitationsModule } from './invitations';
import { OrganizationsModule } from './organizations';
import { PrivacyModule } from './privacy';
import { UsersModule } from './users';
import { MemberSessionResolver, UsersOrganizationsModule } from './users-organizations';
import { RetentionModule } from './retention';
import { EventsModule } from './events';
import { WebhooksModule } from './webhooks';

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
        AuthzModule,
        PrivacyModule,
        HealthModule,
        RetentionModule,
        EventsModule,
        WebhooksModule,
        ...extraModules,
      ],
      // Set by the start-up banner, read by the Swagger UI's page (create-app).
      providers: [SwaggerUiAuthorization],
    };
  }
}
