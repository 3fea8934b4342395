/** Users from verified sign-ins. */
export * from './entities/user.entity';
export * from './users.module';
export * from './users.repository';
