import { Injectable } from '@nestjs/common';
import { AuditAction, ChangeRecorder, FieldChanges, RecordedChange } from '../audit';
import { mfaRequired, ServiceContext, SessionsRepository } from '../auth';
import { AppConfig } from '../config';
import { AppException } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';
import { ifMatchSatisfied } from '../common/http/if-match';
import { paginate } from '../common/pagination/cursor';
import { PAGE_DEFAULT } from '../common/pagination/page.query';
import { DatabaseService, isUniqueViolation } from '../database';
import {
  CreateOrganizationDto,
  ListOrganizationsQuery,
  OrganizationPage,
  toOrganizationView,
} from './dto/organization.dto';
import {
  externalIdTaken,
  Organization,
  OrganizationChanges,
  organizationDiff,
  organizationNotFound,
  organizationPreconditionFailed,
  organizationEtag,
} from './organization';
import {
  OrganizationActor,
  OrganizationChangedEvent,
  OrganizationEvents,
} from './organization-events';
import { OrganizationsRepository } from './organizations.repository';

const AUDIT_ACTION: Record<OrganizationEvents, AuditAction> = {
  [OrganizationEvents.Created]: AuditAction.OrganizationCreated,
  [OrganizationEvents.Updated]: AuditAction.OrganizationUpdated,
  [OrganizationEvents.Archived]: AuditAction.OrganizationArchived,
  [OrganizationEvents.Restored]: AuditAction.OrganizationRestored,
};

/**
 * An organization's lifecycle (DESIGN 13): the operator's clients create, change, archive and
 * restore organizations on `svc`; administrators rename their own on `rs`. Every change is one
 * audit row, which is also its outbox event.
 */
@Injectable()
export class OrganizationsService {
  constructor(
    private readonly database: DatabaseService,
    private readonly recorder: ChangeRecorder,
    private readonly organizations: OrganizationsRepository,
    private readonly sessions: SessionsRepository,
    config: AppConfig,
  ) {
    this.acrValues = config.auth.mfaAcrValues;
  }

  private readonly acrValues: string[];

  async create(service: ServiceContext, body: CreateOrganizationDto): Promise<Organization> {
    if (service.organizations !== '*') {
      throw new AppException(
        ErrorCode.INSUFFICIENT_SCOPE,
        'Creating an organization needs a client whose SERVICE_CLIENTS entry covers every organization ("*").',
      );
    }
    try {
      return await this.recorder.run(async (executor) => {
        const organization = await this.organizations.insert(executor, {
          name: body.name,
          externalId: body.externalId ?? null,
          createdAt: new Date(),
        });
        const changes = Object.fromEntries(
          (['name', 'externalId', 'requireMfa'] as const).map((field) => [
            field,
            { before: null, after: organization[field] },
          ]),
        );
        return {
          result: organization,
          changes: [change(byService(service), OrganizationEvents.Created, organization, changes)],
        };
      });
    } catch (error) {
      // Two creates with one externalId, on any number of instances: the unique index decides.
      if (isUniqueViolation(error)) throw externalIdTaken();
      throw error;
    }
  }

  list(service: ServiceContext, query: ListOrganizationsQuery): Promise<OrganizationPage> {
    return paginate(
      query,
      PAGE_DEFAULT,
      ({ cursorId, limit }) =>
        this.organizations.list(
          {
            externalId: query.externalId,
            archived: query.archived ?? false,
            ids: service.organizations,
          },
          { afterId: cursorId, limit },
        ),
      toOrganizationView,
    );
  }

  /** An organization the client reaches; any other is 404, as one that does not exist. */
  async get(service: ServiceContext, organizationId: number): Promise<Organization> {
    return this.organizations.reachable(this.database, service, organizationId);
  }

  /** The session's organization, for its members. */
  async own(organizationId: number): Promise<Organization> {
    const organization = await this.organizations.find(this.database, organizationId);
    if (organization === null) throw organizationNotFound();
    return organization;
  }

  /**
   * A PATCH from either plane: `If-Match` is compared with the row locked, and a request that
   * changes nothing writes nothing (no version, no audit row, no event).
   */
  async update(
    actor: OrganizationActor,
    organizationId: number,
    requested: OrganizationChanges,
    ifMatch: string | undefined,
    service?: ServiceContext,
    session?: { mfa: boolean },
  ): Promise<Organization> {
    try {
      return await this.recorder.run(async (executor) => {
        const current =
          service === undefined
            ? await this.organizations.find(executor, organizationId, { lock: true })
            : await this.organizations.reachable(executor, service, organizationId, { lock: true });
        if (current === null) throw organizationNotFound();
        if (!ifMatchSatisfied(ifMatch, organizationEtag(current))) {
          throw organizationPreconditionFailed(current);
        }
        const changes = organizationDiff(current, requested);
        if (Object.keys(changes).length === 0) return { result: current, changes: [] };
        const requiring = changes.requireMfa?.after === true;
        // An administrator who could not meet the rule would lock everyone out, itself first.
        if (requiring && session !== undefined && !session.mfa) {
          throw mfaRequired(
            this.acrValues,
            'Requiring a second factor needs a session opened with one: sign in with it first.',
          );
        }
        const updated = await this.organizations.update(executor, current, requested, new Date());
        // The sessions opened without a second factor end with the change, on every instance.
        if (requiring) {
          await this.sessions.revokeWithoutSecondFactor(executor, current.id, updated.updatedAt);
        }
        return {
          result: updated,
          changes: [change(actor, OrganizationEvents.Updated, updated, changes)],
        };
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw externalIdTaken();
      throw error;
    }
  }

  /**
   * Archives: every session in the organization is revoked in the same transaction, so the
   * next request of any member on any instance is refused. Archiving an archived organization
   * changes nothing.
   */
  async archive(service: ServiceContext, organizationId: number): Promise<void> {
    await this.recorder.run(async (executor) => {
      const current = await this.organizations.reachable(executor, service, organizationId, {
        lock: true,
      });
      if (current.archivedAt !== null) return { result: undefined, changes: [] };
      const now = new Date();
      const archived = await this.organizations.setArchivedAt(executor, current, now, now);
      await this.sessions.revokeOrganization(executor, organizationId, now);
      return {
        result: undefined,
        changes: [
          change(byService(service), OrganizationEvents.Archived, archived, {
            archivedAt: { before: null, after: now.toISOString() },
          }),
        ],
      };
    });
  }

  /** Restoring an organization in service changes nothing. */
  async restore(service: ServiceContext, organizationId: number): Promise<Organization> {
    return this.recorder.run(async (executor) => {
      const current = await this.organizations.reachable(executor, service, organizationId, {
        lock: true,
      });
      if (current.archivedAt === null) return { result: current, changes: [] };
      const restored = await this.organizations.setArchivedAt(executor, current, null, new Date());
      return {
        result: restored,
        changes: [
          change(byService(service), OrganizationEvents.Restored, restored, {
            archivedAt: { before: current.archivedAt.toISOString(), after: null },
          }),
        ],
      };
    });
  }
}

export function byService(service: ServiceContext): OrganizationActor {
  return { actorUserId: null, actorClientId: service.clientId, requestId: service.requestId };
}

function change(
  actor: OrganizationActor,
  name: OrganizationEvents,
  organization: Organization,
  changes: FieldChanges,
): RecordedChange {
  const payload = new OrganizationChangedEvent(
    name,
    organization.id,
    actor.actorUserId,
    actor.actorClientId,
    toOrganizationView(organization),
    changes,
    actor.requestId,
  );
  return {
    audit: {
      organizationId: organization.id,
      actorUserId: actor.actorUserId,
      actorClientId: actor.actorClientId,
      targetUserId: null,
      action: AUDIT_ACTION[name],
      changes,
      requestId: actor.requestId,
      createdAt: organization.updatedAt,
      eventId: payload.eventId,
      data: { organization: payload.organization, actorClientId: actor.actorClientId },
    },
    event: { name, payload },
  };
}
