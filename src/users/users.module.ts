import { Global, Module } from '@nestjs/common';
import { UsersRepository } from './users.repository';

/** The `users` table: identities from verified sign-ins. Global: the guard chain needs it. */
@Global()
@Module({ providers: [UsersRepository], exports: [UsersRepository] })
export class UsersModule {}
