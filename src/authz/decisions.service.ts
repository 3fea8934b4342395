import { Injectable } from '@nestjs/common';
import type { Counter, Histogram } from 'prom-client';
import type { ServiceContext } from '../auth';
import { MetricsService } from '../common/metrics/metrics.service';
import { type Decision, decide } from './authz.policy';
import type { Question, Semantic } from './authzen-request';
import { DecisionFactsRepository } from './decision-facts.repository';

/** The app's own modules asking in process: every organization, no HTTP client involved. */
export const IN_PROCESS: ServiceContext = {
  clientId: 'in-process',
  rights: [],
  organizations: '*',
  requestId: 'in-process',
};

/**
 * Decisions for the platform's services (DESIGN 14): the facts are read fresh, then judged by
 * the policy functions the `rs` routes use.
 */
@Injectable()
export class DecisionsService {
  private readonly decisions: Counter<'action' | 'decision'>;
  private readonly duration: Histogram<'endpoint'>;

  constructor(
    private readonly facts: DecisionFactsRepository,
    metrics: MetricsService,
  ) {
    this.decisions = metrics.counter({
      name: 'authz_decisions_total',
      help: 'Decisions of the AuthZEN decision point, by action and decision',
      labelNames: ['action', 'decision'],
    });
    this.duration = metrics.histogram({
      name: 'authz_decision_duration_seconds',
      help: 'Time to answer an evaluation or a batch of evaluations, facts read included',
      labelNames: ['endpoint'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    });
  }

  async evaluate(question: Question, service: ServiceContext = IN_PROCESS): Promise<Decision> {
    const stop = this.duration.startTimer({ endpoint: 'evaluation' });
    const [facts] = await this.facts.factsFor([question], service);
    const decision = this.count(question, decide(question.action, facts));
    stop();
    return decision;
  }

  /**
   * In request order; with a short-circuiting semantic the answer ends at the entry that
   * decided. The facts of every entry are read at once (two statements), so a batch costs
   * no more round trips than one question.
   */
  async evaluateAll(
    questions: Question[],
    semantic: Semantic = 'execute_all',
    service: ServiceContext = IN_PROCESS,
  ): Promise<Decision[]> {
    const stop = this.duration.startTimer({ endpoint: 'evaluations' });
    const facts = await this.facts.factsFor(questions, service);
    const answers: Decision[] = [];
    for (const [index, question] of questions.entries()) {
      const decision = this.count(question, decide(question.action, facts[index]));
      answers.push(decision);
      if (semantic === 'deny_on_first_deny' && !decision.decision) break;
      if (semantic === 'permit_on_first_permit' && decision.decision) break;
    }
    stop();
    return answers;
  }

  private count(question: Question, decision: Decision): Decision {
    this.decisions.inc({ action: question.action, decision: String(decision.decision) });
    return decision;
  }
}
