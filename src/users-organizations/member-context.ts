import type { AuthContext } from '../auth';
import type { Membership } from './membership';

/** The guard chain's context on session routes, with the caller's (and target's) membership. */
export type MemberContext = AuthContext<Membership>;
