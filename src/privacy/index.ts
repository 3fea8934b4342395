/**
 * Export and erasure (DESIGN 15). Other modules react to an erasure with
 * `@OnEvent(UserErasedEvent.NAME)` (docs/extending.md).
 */
export * from './privacy.module';
export { UserErasedEvent } from './user-erased.event';
