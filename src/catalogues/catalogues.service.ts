import { Injectable } from '@nestjs/common';
import type { AuthContext } from '../auth';
import { AppException } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';
import { isRowReferencedViolation, isUniqueViolation, DatabaseService } from '../database';
import type { GroupView } from './dto/group.response';
import type { ProfessionView } from './dto/profession.response';
import { Group, GroupsRepository } from './groups.repository';
import { ProfessionsRepository } from './professions.repository';

/** Professions (global) and the groups of the session organization. */
@Injectable()
export class CataloguesService {
  constructor(
    private readonly database: DatabaseService,
    private readonly professions: ProfessionsRepository,
    private readonly groups: GroupsRepository,
  ) {}

  async listProfessions(): Promise<ProfessionView[]> {
    const professions = await this.professions.findAll();
    return professions.map(({ id, label }) => ({ id, label }));
  }

  async listGroups(auth: AuthContext): Promise<GroupView[]> {
    const groups = await this.groups.findAll(auth.session.organizationId);
    return groups.map(toGroupView);
  }

  /** Uniqueness is left to the index, so two concurrent creations cannot both succeed. */
  async createGroup(auth: AuthContext, name: string): Promise<GroupView> {
    return this.database.transaction(async (executor) => {
      try {
        return toGroupView(await this.groups.insert(executor, auth.session.organizationId, name));
      } catch (error) {
        throw isUniqueViolation(error) ? nameTaken(name) : error;
      }
    });
  }

  /** Renaming to the current name is a no-op; a name another group has is 409. */
  async renameGroup(auth: AuthContext, groupId: number, name: string): Promise<GroupView> {
    return this.database.transaction(async (executor) => {
      const group = await this.groups.find(executor, auth.session.organizationId, groupId, {
        lock: true,
      });
      if (group === null) throw unknownGroup(groupId);
      if (group.name === name) return toGroupView(group);
      try {
        await this.groups.rename(executor, group, name);
      } catch (error) {
        throw isUniqueViolation(error) ? nameTaken(name) : error;
      }
      return toGroupView({ ...group, name });
    });
  }

  /**
   * The group row is locked before the reference check, so on MySQL a writer that locks the
   * groups it references (shared lock) either finishes first, and its reference is seen here, or
   * waits and then finds the group gone. The RESTRICT foreign key on `permissionGroupId` backs
   * the check up for the member's own group.
   */
  async deleteGroup(auth: AuthContext, groupId: number): Promise<void> {
    const organizationId = auth.session.organizationId;
    await this.database.transaction(async (executor) => {
      const group = await this.groups.find(executor, organizationId, groupId, { lock: true });
      if (group === null) throw unknownGroup(groupId);
      if (await this.groups.isReferenced(executor, organizationId, group.id)) throw inUse(groupId);
      try {
        await this.groups.delete(executor, group);
      } catch (error) {
        throw isRowReferencedViolation(error) ? inUse(groupId) : error;
      }
    });
  }
}

function toGroupView(group: Group): GroupView {
  return { id: group.id, name: group.name };
}

function unknownGroup(groupId: number): AppException {
  return new AppException(
    ErrorCode.GROUP_UNKNOWN,
    `No group of this organization has the id ${groupId}.`,
  );
}

function nameTaken(name: string): AppException {
  return new AppException(
    ErrorCode.GROUP_NAME_TAKEN,
    `This organization already has a group named ${JSON.stringify(name)}.`,
    { errors: [{ field: 'name', message: 'is already the name of a group of this organization' }] },
  );
}

function inUse(groupId: number): AppException {
  return new AppException(
    ErrorCode.GROUP_IN_USE,
    `Group ${groupId} is still the group of a membership or in its read or manage list ` +
      '(deleted memberships count: they may be restored). Change those permissions first.',
  );
}
