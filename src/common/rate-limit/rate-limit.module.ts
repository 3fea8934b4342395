import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { AppConfig } from '../../config';
import {
  ADDRESS_THROTTLER,
  AddressRateLimitGuard,
  RATE_LIMIT_WINDOW_MS,
  USER_THROTTLER,
  UserRateLimitGuard,
} from './rate-limit.guards';
import { RateLimitStore } from './rate-limit.store';

@Module({ providers: [RateLimitStore], exports: [RateLimitStore] })
class RateLimitStoreModule {}

/**
 * Rate limiting (@nestjs/throttler): per client address on every route (a global guard), per
 * user on authenticated routes (a guard in the @Authenticated() chain), and per address for
 * failed authentications. Limits come from the configuration; 0 switches one off.
 */
@Global()
@Module({
  imports: [
    RateLimitStoreModule,
    ThrottlerModule.forRootAsync({
      imports: [RateLimitStoreModule],
      inject: [AppConfig, RateLimitStore],
      useFactory: (config: AppConfig, store: RateLimitStore) => ({
        storage: store,
        throttlers: [
          {
            name: ADDRESS_THROTTLER,
            ttl: RATE_LIMIT_WINDOW_MS,
            limit: config.rateLimit.perAddressPerMinute,
          },
          {
            name: USER_THROTTLER,
            ttl: RATE_LIMIT_WINDOW_MS,
            limit: config.rateLimit.perUserPerMinute,
          },
        ],
      }),
    }),
  ],
  providers: [{ provide: APP_GUARD, useClass: AddressRateLimitGuard }, UserRateLimitGuard],
  exports: [UserRateLimitGuard, RateLimitStoreModule],
})
export class RateLimitModule {}
