import { ACTIONS, type ActionName, type ResourceType } from './authz.policy';
import {
  type IssuerRule,
  isObject,
  type Json,
  Problems,
  type Question,
  questionOf,
  resourceOf,
  type SubjectRef,
  subjectOf,
} from './authzen-request';

/** The search requests of AuthZEN 1.0 section 8, checked and typed. */
export const SEARCH_PAGE_DEFAULT = 50;
export const SEARCH_PAGE_MAX = 100;

function pageOf(value: unknown, problems: Problems): { token?: string; limit: number } {
  if (value === undefined) return { limit: SEARCH_PAGE_DEFAULT };
  if (!isObject(value))
    return problems.add('page', 'must be an object {token, limit}') ?? { limit: 0 };
  const { token, limit } = value;
  if (token !== undefined && (typeof token !== 'string' || token.length > 64)) {
    problems.add('page.token', 'must be the next_token of a previous answer');
  }
  if (
    limit !== undefined &&
    (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > SEARCH_PAGE_MAX)
  ) {
    problems.add('page.limit', `must be an integer from 1 to ${SEARCH_PAGE_MAX}`);
  }
  return {
    ...(typeof token === 'string' && token !== '' ? { token } : {}),
    limit: typeof limit === 'number' ? limit : SEARCH_PAGE_DEFAULT,
  };
}

function actionOf(value: unknown, type: ResourceType, at: string, problems: Problems) {
  const name = isObject(value) ? value.name : undefined;
  const actions: readonly string[] = ACTIONS[type];
  if (typeof name !== 'string' || !actions.includes(name)) {
    return problems.add(`${at}.name`, `must be one of ${actions.join(', ')} on a ${type}`);
  }
  return name as ActionName;
}

/** The subject search: who may take the action on the resource (the subject's id omitted). */
export function subjectSearchRequest(body: Json) {
  const problems = new Problems();
  const type = isObject(body.subject) ? body.subject.type : undefined;
  if (type !== 'user' && type !== 'user_id')
    problems.add('subject.type', 'must be "user" or "user_id"');
  const resource = resourceOf(body.resource, 'resource', problems);
  const action = resource && actionOf(body.action, resource.type, 'action', problems);
  const page = pageOf(body.page, problems);
  problems.throwIfAny();
  const question = questionOf(
    { subject: { type: 'user_id', id: '1' }, resource: body.resource, action: body.action },
    '',
    { defaultIssuer: '', several: false },
    problems,
  ) as Question;
  return {
    organizationId: question.organizationId,
    resource: question.resource,
    action: action as ActionName,
    page,
  };
}

/** The resource search: which members or groups the subject may take the action on. */
export function resourceSearchRequest(body: Json, issuers: IssuerRule) {
  const problems = new Problems();
  const subject = subjectOf(body.subject, 'subject', issuers, problems);
  const resource = isObject(body.resource) ? body.resource : {};
  const type = resource.type;
  if (type !== 'member' && type !== 'group') {
    problems.add('resource.type', 'must be "member" or "group"');
  }
  const organizationId = isObject(resource.properties)
    ? resource.properties.organizationId
    : undefined;
  if (
    typeof organizationId !== 'number' ||
    !Number.isSafeInteger(organizationId) ||
    organizationId < 1
  ) {
    problems.add(
      'resource.properties.organizationId',
      'must be the organization id, a JSON number',
    );
  }
  const action =
    type === 'member' || type === 'group'
      ? actionOf(body.action, type, 'action', problems)
      : undefined;
  const page = pageOf(body.page, problems);
  problems.throwIfAny();
  return {
    subject: subject as SubjectRef,
    organizationId: organizationId as number,
    type: type as 'member' | 'group',
    action: action as ActionName,
    page,
  };
}

/** The action search: which actions the subject may take on the resource. */
export function actionSearchRequest(body: Json, issuers: IssuerRule) {
  const problems = new Problems();
  const resource = resourceOf(body.resource, 'resource', problems);
  const firstAction = resource === undefined ? 'read' : ACTIONS[resource.type][0];
  const question = questionOf(
    { subject: body.subject, resource: body.resource, action: { name: firstAction } },
    '',
    issuers,
    problems,
  );
  problems.throwIfAny();
  const { subject, organizationId, resource: ref } = question as Question;
  return { subject, organizationId, resource: ref };
}
