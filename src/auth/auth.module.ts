import { Global, Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { BearerKeyResolver } from './bearer-key.resolver';
import { BearerStrategy } from './bearer.strategy';
import { BearerAuthGuard } from './guards/bearer-auth.guard';
import { BearerUserGuard } from './guards/bearer-user.guard';
import { SessionGuard } from './guards/session.guard';
import { SessionTokenService } from './session-token.service';
import { SessionsController } from './sessions.controller';
import { SessionsRepository } from './sessions.repository';
import { SessionsService } from './sessions.service';

/**
 * Global so that any feature module can put `@Authenticated()` on its controllers: the guards
 * it applies are instantiated in that module and need these providers.
 */
@Global()
@Module({
  imports: [PassportModule],
  controllers: [SessionsController],
  providers: [
    BearerKeyResolver,
    BearerStrategy,
    BearerAuthGuard,
    BearerUserGuard,
    SessionGuard,
    SessionTokenService,
    SessionsRepository,
    SessionsService,
  ],
  exports: [
    BearerAuthGuard,
    BearerUserGuard,
    SessionGuard,
    SessionTokenService,
    SessionsRepository,
    SessionsService,
  ],
})
export class AuthModule {}
