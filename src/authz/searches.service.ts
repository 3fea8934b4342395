import { Injectable } from '@nestjs/common';
import type { ServiceContext } from '../auth';
import { decodeCursor, encodeCursor } from '../common/pagination/cursor';
import { ACTIONS, type ActionName, decide, type Decision, type Facts } from './authz.policy';
import type { Question, ResourceRef, SubjectRef } from './authzen-request';
import { type Candidate, CandidatesRepository } from './candidates.repository';
import { DecisionFactsRepository } from './decision-facts.repository';

export interface SearchPage {
  token?: string;
  limit: number;
}

export interface SearchAnswer<T> {
  results: T[];
  page: { next_token: string; count: number };
}

/** Rows read per statement while a page fills. */
const BATCH = 500;
/** Statements one page may take before it answers with what it has and a token. */
const MAX_BATCHES = 20;

/**
 * AuthZEN's searches (DESIGN 14): who may act on a resource, what a subject may act on, and
 * which actions it may take. Each result is one the evaluation would answer `true`, judged by
 * the same `decide` on the same rows.
 */
@Injectable()
export class SearchesService {
  constructor(
    private readonly facts: DecisionFactsRepository,
    private readonly candidates: CandidatesRepository,
  ) {}

  /** The active members who may take `action` on `resource`, as `user_id` subjects. */
  async subjects(
    organizationId: number,
    resource: ResourceRef,
    action: ActionName,
    page: SearchPage,
    service: ServiceContext,
  ) {
    const probe: Question = { subject: NOBODY, organizationId, resource, action };
    const [facts] = await this.facts.factsFor([probe], service);
    return this.scan(
      facts.organization === null || facts.organization.archived,
      (after) => this.candidates.members(organizationId, after, BATCH),
      (candidate) =>
        decide(action, { ...facts, subject: candidate.member as NonNullable<Facts['subject']> }),
      (candidate, decision) => ({
        type: 'user_id',
        id: String(candidate.id),
        properties: { reason: decision.context.reason },
      }),
      page,
    );
  }

  /** The members or groups of the organization the subject may take `action` on. */
  async resources(
    subject: SubjectRef,
    organizationId: number,
    type: 'member' | 'group',
    action: ActionName,
    page: SearchPage,
    service: ServiceContext,
  ) {
    const probe: Question = { subject, organizationId, resource: { type: 'organization' }, action };
    const [facts] = await this.facts.factsFor([probe], service);
    const read =
      type === 'member'
        ? (after: number) => this.candidates.members(organizationId, after, BATCH)
        : (after: number) => this.candidates.groups(organizationId, after, BATCH);
    return this.scan(
      facts.organization === null || facts.organization.archived || facts.subject === null,
      read,
      (candidate) =>
        decide(action, {
          ...facts,
          target:
            type === 'member'
              ? { type: 'member', membership: candidate.member ?? null }
              : { type: 'group', groupId: candidate.id, exists: true },
        }),
      (candidate) => ({ type, id: String(candidate.id), properties: { organizationId } }),
      page,
    );
  }

  /** The actions the subject may take on the resource: its evaluations, all at once. */
  async actions(
    subject: SubjectRef,
    organizationId: number,
    resource: ResourceRef,
    service: ServiceContext,
  ): Promise<SearchAnswer<{ name: string }>> {
    const names: readonly ActionName[] = ACTIONS[resource.type];
    const questions = names.map((action) => ({ subject, organizationId, resource, action }));
    const facts = await this.facts.factsFor(questions, service);
    const results = names
      .filter((action, index) => decide(action, facts[index]).decision)
      .map((name) => ({ name }));
    return { results, page: { next_token: '', count: results.length } };
  }

  private async scan<T>(
    nothing: boolean,
    read: (after: number) => Promise<Candidate[]>,
    judge: (candidate: Candidate) => Decision,
    result: (candidate: Candidate, decision: Decision) => T,
    page: SearchPage,
  ): Promise<SearchAnswer<T>> {
    const results: T[] = [];
    if (nothing) return { results, page: { next_token: '', count: 0 } };
    let after = page.token === undefined ? 0 : decodeCursor(page.token);
    for (let batch = 0; batch < MAX_BATCHES; batch++) {
      const candidates = await read(after);
      for (const candidate of candidates) {
        after = candidate.position;
        const decision = judge(candidate);
        if (decision.decision) results.push(result(candidate, decision));
        if (results.length === page.limit) {
          return { results, page: { next_token: encodeCursor(after), count: results.length } };
        }
      }
      if (candidates.length < BATCH)
        return { results, page: { next_token: '', count: results.length } };
    }
    return { results, page: { next_token: encodeCursor(after), count: results.length } };
  }
}

/** A subject no row matches: the searches for subjects read the organization and the target. */
const NOBODY: SubjectRef = { kind: 'user_id', userId: 0 };
