import { FieldChanges, newEventId } from '../audit';
import type { MembershipView } from './dto/membership.response';

/**
 * Domain events other modules can listen to with `@OnEvent(MembershipEvents.Updated)`.
 * Published after the change committed, so a listener never sees a change that rolled back.
 */
export enum MembershipEvents {
  Created = 'membership.created',
  Updated = 'membership.updated',
  Deleted = 'membership.deleted',
  Restored = 'membership.restored',
}

export class MembershipChangedEvent {
  constructor(
    readonly name: MembershipEvents,
    readonly organizationId: number,
    readonly userId: number,
    /** Who made the change. */
    readonly actorUserId: number,
    /** The membership after the change (deletedAt set for a deletion). */
    readonly membership: MembershipView,
    readonly changes: FieldChanges,
    readonly requestId: string,
    /** The event's UUID: the webhook-id and Nats-Msg-Id the same change is delivered with. */
    readonly eventId: string = newEventId(),
  ) {}
}
