import { FieldChanges, newEventId } from '../audit';
import type { OrganizationView } from './dto/organization.dto';

/** The organization's lifecycle events, in process and through the outbox (DESIGN 11, 13). */
export enum OrganizationEvents {
  Created = 'organization.created',
  Updated = 'organization.updated',
  Archived = 'organization.archived',
  Restored = 'organization.restored',
}

/** Who changed an organization: the operator's client on `svc`, an administrator on `rs`. */
export interface OrganizationActor {
  actorUserId: number | null;
  actorClientId: string | null;
  requestId: string;
}

export class OrganizationChangedEvent {
  constructor(
    readonly name: OrganizationEvents,
    readonly organizationId: number,
    readonly actorUserId: number | null,
    readonly actorClientId: string | null,
    /** The organization after the change. */
    readonly organization: OrganizationView,
    readonly changes: FieldChanges,
    readonly requestId: string,
    /** The event's UUID: the webhook-id and Nats-Msg-Id the same change is delivered with. */
    readonly eventId: string = newEventId(),
  ) {}
}
