import { Injectable } from '@nestjs/common';
import { reachesOrganization, type ServiceContext } from '../auth';
import { DatabaseService, nullableNumber } from '../database';
import { type Actor, permissionsOf } from '../users-organizations';
import type { Facts } from './authz.policy';
import type { Question } from './authzen-request';

interface StandingRow {
  organizationId: number | string;
  archivedAt: Date | string | null;
  requireMfa: number | string | boolean;
  userId: number | string | null;
  issuer: string | null;
  subject: string | null;
  scope: number | string | null;
  permissionGroupId: number | string | null;
  readGroupIds: string | null;
  manageGroupIds: string | null;
}

interface TargetRow {
  kind: string;
  organizationId: number | string;
  id: number | string;
  scope: number | string | null;
  groupId: number | string | null;
}

/** An IN list that is never empty: a value no row holds stands in for none. */
const listOf = <T>(values: Set<T>, none: T): T[] => (values.size === 0 ? [none] : [...values]);

/**
 * The rows a batch of decisions stands on, in two statements whatever its size (DESIGN 14): the
 * organizations with their subjects' memberships, then the target members and groups. Read when
 * asked, outside any cache, so a decision sees every change committed before it.
 */
@Injectable()
export class DecisionFactsRepository {
  constructor(private readonly database: DatabaseService) {}

  async factsFor(questions: Question[], service: ServiceContext): Promise<Facts[]> {
    const organizations = new Set<number>();
    const userIds = new Set<number>();
    const issuers = new Set<string>();
    const subjects = new Set<string>();
    const memberIds = new Set<number>();
    const groupIds = new Set<number>();
    for (const question of questions) {
      if (!reachesOrganization(service, question.organizationId)) continue;
      organizations.add(question.organizationId);
      if (question.subject.kind === 'user_id') userIds.add(question.subject.userId);
      else {
        issuers.add(question.subject.issuer);
        subjects.add(question.subject.subject);
      }
      if (question.resource.type === 'member') memberIds.add(question.resource.userId);
      if (question.resource.type === 'group') groupIds.add(question.resource.groupId);
    }
    if (organizations.size === 0) return questions.map(() => NO_ORGANIZATION);
    const [standings, targets] = await Promise.all([
      this.standings(organizations, userIds, issuers, subjects),
      memberIds.size + groupIds.size === 0
        ? Promise.resolve([])
        : this.targets(organizations, memberIds, groupIds),
    ]);
    return questions.map((question) => factsOf(question, service, standings, targets));
  }

  private standings(
    organizations: Set<number>,
    userIds: Set<number>,
    issuers: Set<string>,
    subjects: Set<string>,
  ): Promise<StandingRow[]> {
    const ids = listOf(userIds, 0);
    const issuerList = listOf(issuers, '');
    const subjectList = listOf(subjects, '');
    const organizationList = [...organizations];
    return this.database.query<StandingRow>(
      'SELECT o.`id` AS `organizationId`, o.`archivedAt`, o.`requireMfa`, u.`id` AS `userId`, ' +
        'u.`issuer`, u.`subject`, m.`scope`, m.`permissionGroupId`, m.`readGroupIds`, ' +
        'm.`manageGroupIds` FROM `organizations` o ' +
        'LEFT JOIN `users` u ON u.`deletedAt` IS NULL AND (u.`id` IN ' +
        `(${ids.map(() => '?').join(', ')}) OR (u.\`issuer\` IN (${issuerList.map(() => '?').join(', ')}) ` +
        `AND u.\`subject\` IN (${subjectList.map(() => '?').join(', ')}))) ` +
        'LEFT JOIN `memberships` m ON m.`userId` = u.`id` AND m.`organizationId` = o.`id` ' +
        'AND m.`deletedAt` IS NULL ' +
        `WHERE o.\`id\` IN (${organizationList.map(() => '?').join(', ')})`,
      [...ids, ...issuerList, ...subjectList, ...organizationList],
    );
  }

  private targets(
    organizations: Set<number>,
    memberIds: Set<number>,
    groupIds: Set<number>,
  ): Promise<TargetRow[]> {
    const organizationList = [...organizations];
    const members = listOf(memberIds, 0);
    const groups = listOf(groupIds, 0);
    const marks = (values: unknown[]) => values.map(() => '?').join(', ');
    return this.database.query<TargetRow>(
      "SELECT 'member' AS `kind`, m.`organizationId`, m.`userId` AS `id`, m.`scope`, " +
        'm.`permissionGroupId` AS `groupId` FROM `memberships` m ' +
        `WHERE m.\`organizationId\` IN (${marks(organizationList)}) AND m.\`userId\` IN (${marks(members)}) ` +
        'AND m.`deletedAt` IS NULL ' +
        "UNION ALL SELECT 'group' AS `kind`, g.`organizationId`, g.`id`, NULL AS `scope`, " +
        'g.`id` AS `groupId` FROM `organization_groups` g ' +
        `WHERE g.\`organizationId\` IN (${marks(organizationList)}) AND g.\`id\` IN (${marks(groups)})`,
      [...organizationList, ...members, ...organizationList, ...groups],
    );
  }
}

const NO_ORGANIZATION: Facts = {
  organization: null,
  subject: null,
  target: { type: 'organization' },
};

function factsOf(
  question: Question,
  service: ServiceContext,
  standings: StandingRow[],
  targets: TargetRow[],
): Facts {
  const rows = reachesOrganization(service, question.organizationId)
    ? standings.filter((row) => Number(row.organizationId) === question.organizationId)
    : [];
  if (rows.length === 0) return NO_ORGANIZATION;
  const organization = {
    archived: rows[0].archivedAt !== null,
    requireMfa: Number(rows[0].requireMfa) === 1,
  };
  const { subject } = question;
  const mine = rows.find(
    (row) =>
      row.scope !== null &&
      (subject.kind === 'user_id'
        ? Number(row.userId) === subject.userId
        : row.issuer === subject.issuer && row.subject === subject.subject),
  );
  const actor: Actor | null =
    mine === undefined
      ? null
      : {
          userId: Number(mine.userId),
          scope: Number(mine.scope),
          permissions: permissionsOf({
            permissionGroupId: mine.permissionGroupId,
            readGroupIds: mine.readGroupIds as string,
            manageGroupIds: mine.manageGroupIds as string,
          }),
        };
  return { organization, subject: actor, target: targetOf(question, targets) };
}

function targetOf(question: Question, targets: TargetRow[]): Facts['target'] {
  const { resource, organizationId } = question;
  if (resource.type === 'organization') return { type: 'organization' };
  const kind = resource.type;
  const id = resource.type === 'member' ? resource.userId : resource.groupId;
  const row = targets.find(
    (candidate) =>
      candidate.kind === kind &&
      Number(candidate.organizationId) === organizationId &&
      Number(candidate.id) === id,
  );
  if (resource.type === 'group') {
    return { type: 'group', groupId: resource.groupId, exists: row !== undefined };
  }
  return {
    type: 'member',
    membership:
      row === undefined
        ? null
        : {
            userId: resource.userId,
            scope: Number(row.scope),
            // Only the target's own group matters to the policy about it.
            permissions: { group: nullableNumber(row.groupId), read: [], manage: [] },
          },
  };
}
