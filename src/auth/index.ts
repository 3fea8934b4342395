/**
 * Authentication: the access token, sessions, and the guard chain other modules put on their
 * routes with `@Authenticated()`.
 */
export * from './auth-context';
export * from './auth.module';
export * from './decorators/authenticated.decorator';
export * from './decorators/current-auth.decorator';
export * from './decorators/service-authenticated.decorator';
export * from './service-context';
export * from './entities/session.entity';
export * from './session-context';
export * from './sessions.repository';
export { MySessionView, toMySessionView } from './my-sessions';
export * from './sessions.service';
export * from './second-factor';
