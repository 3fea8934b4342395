import { Injectable } from '@nestjs/common';
import { reachesOrganization, type ServiceContext } from '../auth';
import { DatabaseService, nullableNumber } from '../database';
import { permissionsOf } from '../users-organizations';
import type { Facts } from './authz.policy';
import type { Question } from './authzen-request';

/** One row of the facts statement: an organization, a subject's membership, or a target. */
interface FactRow {
  kind: 'organization' | 'subject' | 'member' | 'group';
  organizationId: number | string;
  /** The user id of a subject or member, the id of a group. */
  id: number | string | null;
  archivedAt: Date | string | null;
  requireMfa: number | string | boolean | null;
  issuer: string | null;
  subject: string | null;
  scope: number | string | null;
  permissionGroupId: number | string | null;
  readGroupIds: string | null;
  manageGroupIds: string | null;
}

/** An IN list that is never empty: a value no row holds stands in for none. */
const listOf = <T>(values: Set<T>, none: T): T[] => (values.size === 0 ? [none] : [...values]);
const marks = (values: unknown[]) => values.map(() => '?').join(', ');

const MEMBERSHIP_COLUMNS = 'm.`scope`, m.`permissionGroupId`, m.`readGroupIds`, m.`manageGroupIds`';
const SUBJECTS =
  "SELECT 'subject', m.`organizationId`, u.`id`, NULL, NULL, u.`issuer`, u.`subject`, " +
  `${MEMBERSHIP_COLUMNS} FROM \`users\` u JOIN \`memberships\` m ON m.\`userId\` = u.\`id\` `;

/**
 * The rows a batch of decisions stands on, in one statement whatever its size (DESIGN 14): the
 * organizations, the subjects' memberships (by user id, or by issuer and subject), and the
 * target members and groups, each branch of the UNION served by a unique index. Read when asked,
 * outside any cache, so a decision sees every change committed before it.
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
    const rows = await this.read(organizations, userIds, issuers, subjects, memberIds, groupIds);
    return questions.map((question) => factsOf(question, service, rows));
  }

  private read(
    organizations: Set<number>,
    userIds: Set<number>,
    issuers: Set<string>,
    subjects: Set<string>,
    memberIds: Set<number>,
    groupIds: Set<number>,
  ): Promise<FactRow[]> {
    const inOrganizations = [...organizations];
    const ids = listOf(userIds, 0);
    const issuerList = listOf(issuers, '');
    const subjectList = listOf(subjects, '');
    const members = listOf(memberIds, 0);
    const groups = listOf(groupIds, 0);
    const within = `m.\`organizationId\` IN (${marks(inOrganizations)}) AND m.\`deletedAt\` IS NULL `;
    return this.database.query<FactRow>(
      "SELECT 'organization' AS `kind`, o.`id` AS `organizationId`, NULL AS `id`, o.`archivedAt`, " +
        'o.`requireMfa`, NULL AS `issuer`, NULL AS `subject`, NULL AS `scope`, ' +
        'NULL AS `permissionGroupId`, NULL AS `readGroupIds`, NULL AS `manageGroupIds` ' +
        `FROM \`organizations\` o WHERE o.\`id\` IN (${marks(inOrganizations)}) ` +
        `UNION ALL ${SUBJECTS}AND ${within}WHERE u.\`deletedAt\` IS NULL AND u.\`id\` IN (${marks(ids)}) ` +
        `UNION ALL ${SUBJECTS}AND ${within}WHERE u.\`deletedAt\` IS NULL ` +
        `AND u.\`issuer\` IN (${marks(issuerList)}) AND u.\`subject\` IN (${marks(subjectList)}) ` +
        "UNION ALL SELECT 'member', m.`organizationId`, m.`userId`, NULL, NULL, NULL, NULL, " +
        `m.\`scope\`, m.\`permissionGroupId\`, NULL, NULL FROM \`memberships\` m WHERE ${within}` +
        `AND m.\`userId\` IN (${marks(members)}) ` +
        "UNION ALL SELECT 'group', g.`organizationId`, g.`id`, NULL, NULL, NULL, NULL, NULL, " +
        'NULL, NULL, NULL FROM `organization_groups` g ' +
        `WHERE g.\`organizationId\` IN (${marks(inOrganizations)}) AND g.\`id\` IN (${marks(groups)})`,
      [
        ...inOrganizations,
        ...inOrganizations,
        ...ids,
        ...inOrganizations,
        ...issuerList,
        ...subjectList,
        ...inOrganizations,
        ...members,
        ...inOrganizations,
        ...groups,
      ],
    );
  }
}

const NO_ORGANIZATION: Facts = {
  organization: null,
  subject: null,
  target: { type: 'organization' },
};

function factsOf(question: Question, service: ServiceContext, rows: FactRow[]): Facts {
  const { organizationId, subject } = question;
  const organization = reachesOrganization(service, organizationId)
    ? rows.find(
        (row) => row.kind === 'organization' && Number(row.organizationId) === organizationId,
      )
    : undefined;
  if (organization === undefined) return NO_ORGANIZATION;
  const mine = rows.find(
    (row) =>
      row.kind === 'subject' &&
      Number(row.organizationId) === organizationId &&
      (subject.kind === 'user_id'
        ? Number(row.id) === subject.userId
        : row.issuer === subject.issuer && row.subject === subject.subject),
  );
  return {
    organization: {
      archived: organization.archivedAt !== null,
      requireMfa: Number(organization.requireMfa) === 1,
    },
    subject:
      mine === undefined
        ? null
        : {
            userId: Number(mine.id),
            scope: Number(mine.scope),
            permissions: permissionsOf({
              permissionGroupId: mine.permissionGroupId,
              readGroupIds: mine.readGroupIds as string,
              manageGroupIds: mine.manageGroupIds as string,
            }),
          },
    target: targetOf(question, rows),
  };
}

function targetOf(question: Question, rows: FactRow[]): Facts['target'] {
  const { resource, organizationId } = question;
  if (resource.type === 'organization') return { type: 'organization' };
  const id = resource.type === 'member' ? resource.userId : resource.groupId;
  const row = rows.find(
    (candidate) =>
      candidate.kind === resource.type &&
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
            permissions: { group: nullableNumber(row.permissionGroupId), read: [], manage: [] },
          },
  };
}
