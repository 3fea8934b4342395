/** The AuthZEN decision point: DecisionsService answers in process as over HTTP. */
export * from './authz.module';
export * from './authz.policy';
export type { Question, SubjectRef, ResourceRef } from './authzen-request';
export * from './decisions.service';
