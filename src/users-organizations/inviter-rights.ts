import type { RecordedChange } from '../audit';
import type { SqlExecutor } from '../database';

/** Who ends a member's right to invite: the administrator (or member leaving) acting. */
export interface RightsEndedBy {
  actorUserId: number | null;
  actorClientId?: string | null;
  requestId: string;
}

/**
 * An invitation lives no longer than its inviter's right to invite (DESIGN 8b): removing or
 * demoting an administrator revokes, in the same transaction, the pending invitations it
 * created. The invitations module implements this port; memberships know nothing of invitations.
 */
export abstract class InviterRights {
  /** Revokes them; returns their audit rows and events (`invitation.revoked`). */
  abstract ended(
    executor: SqlExecutor,
    organizationId: number,
    inviterUserId: number,
    at: Date,
    by: RightsEndedBy,
  ): Promise<RecordedChange[]>;
}
