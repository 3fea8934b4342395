import { FieldChanges, newEventId } from '../audit';
import type { InvitationView } from './dto/invitation.response';

/**
 * In-process events of invitations, published after commit. `invitation.created` and
 * `invitation.resent` carry the token in `delivery`: the one place it travels, so that a mailer
 * module of the app can send it (docs/extending.md). The audit trail never holds it.
 */
export enum InvitationEvents {
  Created = 'invitation.created',
  Revoked = 'invitation.revoked',
  Resent = 'invitation.resent',
  Accepted = 'invitation.accepted',
}

export class InvitationChangedEvent {
  constructor(
    readonly name: InvitationEvents,
    readonly organizationId: number,
    /** Who made the change: an administrator, or the invitee accepting; null for a service. */
    readonly actorUserId: number | null,
    /** The invitation after the change. */
    readonly invitation: InvitationView,
    readonly changes: FieldChanges,
    readonly requestId: string,
    /** Only on `invitation.created` and `invitation.resent`: what to send to the invitee. */
    readonly delivery: { email: string; token: string; acceptUrl: string | null } | undefined,
    /** The service client that made the change (DESIGN 13), else null. */
    readonly actorClientId: string | null,
    /** The event's UUID: the webhook-id and Nats-Msg-Id the same change is delivered with. */
    readonly eventId: string = newEventId(),
  ) {}
}
