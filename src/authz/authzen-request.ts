import { AppException, type FieldError } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';
import { parseId } from '../common/validation/id.pipe';
import { ACTIONS, type ActionName } from './authz.policy';

/** Who asks about whom: the provider's subject (with its issuer), or this API's user id. */
export type SubjectRef =
  { kind: 'user'; issuer: string; subject: string } | { kind: 'user_id'; userId: number };

export type ResourceRef =
  | { type: 'member'; userId: number }
  | { type: 'group'; groupId: number }
  | { type: 'organization' };

/** One AuthZEN evaluation, checked and typed. */
export interface Question {
  subject: SubjectRef;
  organizationId: number;
  resource: ResourceRef;
  action: ActionName;
}

export const MAX_EVALUATIONS = 100;
export const SEMANTICS = ['execute_all', 'deny_on_first_deny', 'permit_on_first_permit'] as const;
export type Semantic = (typeof SEMANTICS)[number];

export type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** How the issuers are known: the default one, and whether a subject must name its issuer. */
export interface IssuerRule {
  defaultIssuer: string;
  several: boolean;
}

/** Collects every problem of a body before refusing it, as the validation pipe does. */
class Problems {
  readonly errors: FieldError[] = [];
  add(field: string, message: string): undefined {
    this.errors.push({ field, message });
    return undefined;
  }
  throwIfAny(): void {
    if (this.errors.length > 0) {
      throw new AppException(ErrorCode.VALIDATION_FAILED, 'The request is not valid.', {
        errors: this.errors,
      });
    }
  }
}

function idOf(value: unknown, field: string, problems: Problems): number | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') {
    return problems.add(field, 'must be an id, as a string of decimal digits');
  }
  try {
    return parseId(String(value), field);
  } catch {
    return problems.add(field, 'must be an id, as a string of decimal digits');
  }
}

function subjectOf(value: unknown, at: string, issuers: IssuerRule, problems: Problems) {
  if (!isObject(value)) return problems.add(at, 'must be an object {type, id}');
  const { type, id, properties } = value;
  if (type === 'user_id') {
    const userId = idOf(id, `${at}.id`, problems);
    return userId === undefined ? undefined : ({ kind: 'user_id', userId } as const);
  }
  if (type !== 'user') return problems.add(`${at}.type`, 'must be "user" or "user_id"');
  if (typeof id !== 'string' || id.length === 0 || id.length > 255) {
    return problems.add(
      `${at}.id`,
      "must be the identity provider's subject (1 to 255 characters)",
    );
  }
  const issuer = isObject(properties) ? properties.issuer : undefined;
  if (issuer !== undefined && (typeof issuer !== 'string' || issuer.length === 0)) {
    return problems.add(`${at}.properties.issuer`, 'must be the issuer of the subject');
  }
  if (issuer === undefined && issuers.several) {
    return problems.add(`${at}.properties.issuer`, 'is required: several issuers are trusted');
  }
  return { kind: 'user', issuer: issuer ?? issuers.defaultIssuer, subject: id } as const;
}

function resourceOf(value: unknown, at: string, problems: Problems) {
  if (!isObject(value)) return problems.add(at, 'must be an object {type, id, properties}');
  const { type, id, properties } = value;
  if (typeof type !== 'string' || !(type in ACTIONS)) {
    return problems.add(`${at}.type`, 'must be "member", "group" or "organization"');
  }
  const resourceId = idOf(id, `${at}.id`, problems);
  if (type === 'organization') {
    return resourceId === undefined
      ? undefined
      : { type: 'organization' as const, organizationId: resourceId };
  }
  const organizationId = isObject(properties) ? properties.organizationId : undefined;
  if (
    typeof organizationId !== 'number' ||
    !Number.isSafeInteger(organizationId) ||
    organizationId < 1
  ) {
    return problems.add(
      `${at}.properties.organizationId`,
      'must be the organization id, a JSON number',
    );
  }
  if (resourceId === undefined) return undefined;
  return type === 'member'
    ? { type: 'member' as const, userId: resourceId, organizationId }
    : { type: 'group' as const, groupId: resourceId, organizationId };
}

/** One evaluation from its (merged) subject, resource and action. */
export function questionOf(
  entry: { subject?: unknown; resource?: unknown; action?: unknown },
  at: string,
  issuers: IssuerRule,
  problems: Problems,
): Question | undefined {
  const subject = subjectOf(entry.subject, `${at}subject`, issuers, problems);
  const resource = resourceOf(entry.resource, `${at}resource`, problems);
  const name = isObject(entry.action) ? entry.action.name : undefined;
  if (!isObject(entry.action) || typeof name !== 'string') {
    return problems.add(`${at}action.name`, 'is required');
  }
  if (resource === undefined || subject === undefined) return undefined;
  const actions: readonly string[] = ACTIONS[resource.type];
  if (!actions.includes(name)) {
    return problems.add(
      `${at}action.name`,
      `must be one of ${actions.join(', ')} on a ${resource.type}`,
    );
  }
  const { organizationId, ...ref } = resource;
  const target: ResourceRef =
    ref.type === 'member'
      ? { type: 'member', userId: (ref as { userId: number }).userId }
      : ref.type === 'group'
        ? { type: 'group', groupId: (ref as { groupId: number }).groupId }
        : { type: 'organization' };
  return { subject, organizationId, resource: target, action: name as ActionName };
}

export function evaluationRequest(body: Json, issuers: IssuerRule): Question {
  const problems = new Problems();
  const question = questionOf(body, '', issuers, problems);
  problems.throwIfAny();
  return question as Question;
}

/**
 * An evaluations request (AuthZEN 1.0 section 7): top-level subject, action, resource and
 * context are defaults each entry may override; no entries evaluates the top level once.
 */
export function evaluationsRequest(
  body: Json,
  issuers: IssuerRule,
): { questions: Question[]; semantic: Semantic } {
  const problems = new Problems();
  const { evaluations, options } = body;
  let semantic: Semantic = 'execute_all';
  if (options !== undefined) {
    const chosen = isObject(options) ? options.evaluations_semantic : null;
    if (chosen !== undefined && !(SEMANTICS as readonly unknown[]).includes(chosen)) {
      problems.add('options.evaluations_semantic', `must be one of ${SEMANTICS.join(', ')}`);
    } else if (chosen !== undefined) {
      semantic = chosen as Semantic;
    }
  }
  if (evaluations !== undefined && !Array.isArray(evaluations)) {
    problems.add('evaluations', 'must be an array');
  } else if (Array.isArray(evaluations) && evaluations.length > MAX_EVALUATIONS) {
    problems.add('evaluations', `must hold at most ${MAX_EVALUATIONS} entries`);
  }
  problems.throwIfAny();
  const entries = Array.isArray(evaluations) && evaluations.length > 0 ? evaluations : [{}];
  const questions = entries.map((entry: unknown, index) => {
    const own = isObject(entry) ? entry : {};
    if (!isObject(entry)) problems.add(`evaluations[${index}]`, 'must be an object');
    const merged = {
      subject: own.subject ?? body.subject,
      resource: own.resource ?? body.resource,
      action: own.action ?? body.action,
    };
    return questionOf(
      merged,
      entries === evaluations ? `evaluations[${index}].` : '',
      issuers,
      problems,
    );
  });
  problems.throwIfAny();
  return { questions: questions as Question[], semantic };
}

export { isObject, Problems, resourceOf, subjectOf };
