/**
 * The facts statement the app's decision point sends for one question of the check scenario (a
 * subject by user id, a member as the resource), spelled as src/authz/decision-facts.repository.ts
 * spells it, so the framework floor reads what the app reads and nothing more.
 */
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { HttpError } from './common';

const MEMBERSHIP_COLUMNS = 'm.`scope`, m.`permissionGroupId`, m.`readGroupIds`, m.`manageGroupIds`';
const SUBJECTS =
  "SELECT 'subject', m.`organizationId`, u.`id`, NULL, NULL, u.`issuer`, u.`subject`, " +
  `${MEMBERSHIP_COLUMNS} FROM \`users\` u JOIN \`memberships\` m ON m.\`userId\` = u.\`id\` `;
const WITHIN = 'm.`organizationId` IN (?) AND m.`deletedAt` IS NULL ';
const FACTS =
  "SELECT 'organization' AS `kind`, o.`id` AS `organizationId`, NULL AS `id`, o.`archivedAt`, " +
  'o.`requireMfa`, NULL AS `issuer`, NULL AS `subject`, NULL AS `scope`, ' +
  'NULL AS `permissionGroupId`, NULL AS `readGroupIds`, NULL AS `manageGroupIds` ' +
  'FROM `organizations` o WHERE o.`id` IN (?) ' +
  `UNION ALL ${SUBJECTS}AND ${WITHIN}WHERE u.\`deletedAt\` IS NULL AND u.\`id\` IN (?) ` +
  `UNION ALL ${SUBJECTS}AND ${WITHIN}WHERE u.\`deletedAt\` IS NULL ` +
  'AND u.`issuer` IN (?) AND u.`subject` IN (?) ' +
  "UNION ALL SELECT 'member', m.`organizationId`, m.`userId`, NULL, NULL, NULL, NULL, " +
  `m.\`scope\`, m.\`permissionGroupId\`, NULL, NULL FROM \`memberships\` m WHERE ${WITHIN}` +
  'AND m.`userId` IN (?) ' +
  "UNION ALL SELECT 'group', g.`organizationId`, g.`id`, NULL, NULL, NULL, NULL, NULL, " +
  'NULL, NULL, NULL FROM `organization_groups` g ' +
  'WHERE g.`organizationId` IN (?) AND g.`id` IN (?)';

interface FactRow extends RowDataPacket {
  kind: 'organization' | 'subject' | 'member' | 'group';
  id: number | null;
  archivedAt: Date | null;
  scope: number | null;
}

export interface Evaluation {
  decision: boolean;
  context: { reason: string };
}

/**
 * One decision of the check scenario: the app's statement, then the bare rule (an administrator
 * reads and edits anyone of its organization, a member itself); the app's group rules cost a few
 * comparisons on rows already read.
 */
export async function evaluateMember(
  pool: Pool,
  organizationId: number,
  subjectUserId: number,
  memberUserId: number,
): Promise<Evaluation> {
  const [rows] = await pool.execute<FactRow[]>(FACTS, [
    organizationId,
    organizationId,
    subjectUserId,
    organizationId,
    '',
    '',
    organizationId,
    memberUserId,
    organizationId,
    0,
  ]);
  const refuse = (reason: string): Evaluation => ({ decision: false, context: { reason } });
  const organization = rows.find((row) => row.kind === 'organization');
  const subject = rows.find((row) => row.kind === 'subject');
  if (!organization || !subject) return refuse('NOT_A_MEMBER');
  if (organization.archivedAt !== null) return refuse('ORGANIZATION_ARCHIVED');
  if (!rows.some((row) => row.kind === 'member')) return refuse('TARGET_NOT_FOUND');
  if (Number(subject.id) === memberUserId) return { decision: true, context: { reason: 'SELF' } };
  if (Number(subject.scope) === 1) return { decision: true, context: { reason: 'ADMINISTRATOR' } };
  return refuse('NOT_ALLOWED');
}

export function parsePositiveId(value: string): number {
  const id = Number(value);
  if (!Number.isSafeInteger(id) || id < 1) throw new HttpError(400, 'VALIDATION_FAILED');
  return id;
}
