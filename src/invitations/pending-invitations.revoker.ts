import { Global, Injectable, Module } from '@nestjs/common';
import type { RecordedChange } from '../audit';
import type { SqlExecutor } from '../database';
import { InviterRights, type RightsEndedBy } from '../users-organizations';
import { invitationChange } from './invitation-change';
import { InvitationEvents } from './invitation-events';
import { InvitationsRepository } from './invitations.repository';

/** Revokes the pending invitations of a member who can no longer invite (DESIGN 8b). */
@Injectable()
export class PendingInvitationsRevoker extends InviterRights {
  constructor(private readonly invitations: InvitationsRepository) {
    super();
  }

  async ended(
    executor: SqlExecutor,
    organizationId: number,
    inviterUserId: number,
    at: Date,
    by: RightsEndedBy,
  ): Promise<RecordedChange[]> {
    const pending = await this.invitations.pendingCreatedBy(
      executor,
      organizationId,
      inviterUserId,
      at,
    );
    const changes: RecordedChange[] = [];
    for (const invitation of pending) {
      await this.invitations.close(executor, invitation.id, at, at);
      changes.push(
        invitationChange(
          by,
          InvitationEvents.Revoked,
          { ...invitation, revokedAt: at, updatedAt: at },
          {
            revokedAt: { before: null, after: at.toISOString() },
          },
        ),
      );
    }
    return changes;
  }
}

/**
 * Global, so the memberships module's use cases receive the port without importing this
 * module (which imports theirs).
 */
@Global()
@Module({
  providers: [
    InvitationsRepository,
    PendingInvitationsRevoker,
    { provide: InviterRights, useExisting: PendingInvitationsRevoker },
  ],
  exports: [InviterRights],
})
export class InviterRightsModule {}
