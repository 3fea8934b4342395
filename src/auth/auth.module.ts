import { DynamicModule, Global, Module, Type } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PassportModule } from '@nestjs/passport';
import { TrustedIssuers } from './trusted-issuers';
import { SessionEntity } from './entities/session.entity';
import { SessionContextResolver } from './session-context';
import { BearerStrategy } from './bearer.strategy';
import { BearerAuthGuard } from './guards/bearer-auth.guard';
import { BearerUserGuard } from './guards/bearer-user.guard';
import { ServiceAuthGuard, ServiceRightGuard } from './guards/service-auth.guard';
import { SessionGuard } from './guards/session.guard';
import { SessionTokenService } from './session-token.service';
import { MySessions, MySessionsController } from './my-sessions';
import { SessionsController } from './sessions.controller';
import { SessionsRepository } from './sessions.repository';
import { SessionsService } from './sessions.service';
import { VerifiedBearerTokens } from './verified-bearer-tokens';

export interface AuthModuleOptions {
  /** Reads sessions with the caller's membership (the memberships module's resolver). */
  sessionContext: Type<SessionContextResolver>;
}

/**
 * Global so that any feature module can put `@Authenticated()` on its controllers: the guards
 * it applies are instantiated in that module and need these providers. The session context
 * resolver comes from the composition root (AppModule), so auth imports no feature module.
 */
@Global()
@Module({})
export class AuthModule {
  static forRoot(options: AuthModuleOptions): DynamicModule {
    return {
      module: AuthModule,
      imports: [PassportModule, TypeOrmModule.forFeature([SessionEntity])],
      controllers: [SessionsController, MySessionsController],
      providers: [
        { provide: SessionContextResolver, useClass: options.sessionContext },
        TrustedIssuers,
        VerifiedBearerTokens,
        BearerStrategy,
        BearerAuthGuard,
        BearerUserGuard,
        SessionGuard,
        ServiceAuthGuard,
        ServiceRightGuard,
        SessionTokenService,
        SessionsRepository,
        SessionsService,
        MySessions,
      ],
      exports: [
        SessionContextResolver,
        VerifiedBearerTokens,
        BearerAuthGuard,
        BearerUserGuard,
        SessionGuard,
        ServiceAuthGuard,
        ServiceRightGuard,
        SessionTokenService,
        SessionsRepository,
        SessionsService,
      ],
    };
  }
}
