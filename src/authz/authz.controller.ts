import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentService, ServiceAuthenticated, type ServiceContext } from '../auth';
import { AppException } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';
import { ApiProblems } from '../common/swagger/api-problems.decorator';
import { AppConfig } from '../config';
import { type Decision } from './authz.policy';
import {
  evaluationRequest,
  evaluationsRequest,
  type IssuerRule,
  type Json,
} from './authzen-request';
import {
  actionSearchRequest,
  resourceSearchRequest,
  subjectSearchRequest,
} from './authzen-search-request';
import { DecisionsService } from './decisions.service';
import {
  EVALUATION_EXAMPLES,
  EVALUATIONS_EXAMPLE,
  REASON_EXAMPLES,
  SEARCH_EXAMPLES,
} from './dto/authzen.examples';
import {
  EvaluationRequest,
  EvaluationResponse,
  EvaluationsRequest,
  EvaluationsResponse,
  PdpMetadata,
  SearchRequest,
  SearchResponse,
} from './dto/authzen.dto';
import { SearchesService } from './searches.service';

export const ACCESS = 'users-organizations/v1/svc/access/v1';

/**
 * The AuthZEN decision point (DESIGN 14): bodies and answers are AuthZEN's, not wrapped in
 * `data`. An unknown subject, member, group or organization is a decision `false`, never a 404.
 */
@ApiTags('permission checks (AuthZEN)')
@Controller(ACCESS)
export class AuthzController {
  private readonly issuers: IssuerRule;

  constructor(
    private readonly decisions: DecisionsService,
    private readonly searches: SearchesService,
    config: AppConfig,
  ) {
    this.issuers = {
      defaultIssuer: config.auth.defaultIssuer,
      several: config.auth.extraIssuers.length > 0,
    };
  }

  @Post('evaluation')
  @HttpCode(200)
  @ServiceAuthenticated('authz:check')
  @ApiOperation({
    summary: 'May this subject take this action on this resource?',
    description:
      'The answer of the `rs` routes themselves, read from the rows when asked: a change that ' +
      'answered 200 is seen by the next decision. The reason is the first rule that allows it ' +
      '(SELF, ADMINISTRATOR, MANAGES_GROUP, READS_GROUP) or why not.',
  })
  @ApiBody({ type: EvaluationRequest, examples: EVALUATION_EXAMPLES })
  @ApiOkResponse({
    type: EvaluationResponse,
    description: 'The decision.',
    examples: REASON_EXAMPLES,
  })
  @ApiProblems(400, 413, 415)
  evaluation(@CurrentService() service: ServiceContext, @Body() body: Json): Promise<Decision> {
    return this.decisions.evaluate(evaluationRequest(body, this.issuers), service);
  }

  @Post('evaluations')
  @HttpCode(200)
  @ServiceAuthenticated('authz:check')
  @ApiOperation({
    summary: 'Many decisions at once (at most 100)',
    description:
      'Top-level subject, resource and action are defaults each entry may override. ' +
      '`options.evaluations_semantic`: `execute_all` (default), `deny_on_first_deny`, ' +
      '`permit_on_first_permit` (the answer ends at the entry that decided).',
  })
  @ApiBody({ type: EvaluationsRequest, examples: EVALUATIONS_EXAMPLE })
  @ApiOkResponse({ type: EvaluationsResponse, description: 'The decisions, in request order.' })
  @ApiProblems(400, 413, 415)
  async evaluations(
    @CurrentService() service: ServiceContext,
    @Body() body: Json,
  ): Promise<{ evaluations: Decision[] }> {
    const { questions, semantic } = evaluationsRequest(body, this.issuers);
    return { evaluations: await this.decisions.evaluateAll(questions, semantic, service) };
  }

  @Post('search/subject')
  @HttpCode(200)
  @ServiceAuthenticated('authz:search')
  @ApiOperation({
    summary: 'Who may take this action on this resource?',
    description:
      'The active members allowed, as `user_id` subjects with the rule that allows each.',
  })
  @ApiBody({ type: SearchRequest, examples: { subject: SEARCH_EXAMPLES.subject } })
  @ApiOkResponse({ type: SearchResponse, description: 'One page of subjects.' })
  @ApiProblems(400, 413, 415)
  subjects(@CurrentService() service: ServiceContext, @Body() body: Json) {
    const request = subjectSearchRequest(body);
    return this.searches.subjects(
      request.organizationId,
      request.resource,
      request.action,
      request.page,
      service,
    );
  }

  @Post('search/resource')
  @HttpCode(200)
  @ServiceAuthenticated('authz:search')
  @ApiOperation({
    summary: 'Which members or groups may this subject take this action on?',
    description: "An administrator's answer lists them all.",
  })
  @ApiBody({ type: SearchRequest, examples: { resource: SEARCH_EXAMPLES.resource } })
  @ApiOkResponse({ type: SearchResponse, description: 'One page of resources.' })
  @ApiProblems(400, 413, 415)
  resources(@CurrentService() service: ServiceContext, @Body() body: Json) {
    const request = resourceSearchRequest(body, this.issuers);
    return this.searches.resources(
      request.subject,
      request.organizationId,
      request.type,
      request.action,
      request.page,
      service,
    );
  }

  @Post('search/action')
  @HttpCode(200)
  @ServiceAuthenticated('authz:search')
  @ApiOperation({ summary: 'Which actions may this subject take on this resource?' })
  @ApiBody({ type: SearchRequest, examples: { action: SEARCH_EXAMPLES.action } })
  @ApiOkResponse({ type: SearchResponse, description: 'The actions allowed.' })
  @ApiProblems(400, 413, 415)
  actions(@CurrentService() service: ServiceContext, @Body() body: Json) {
    const request = actionSearchRequest(body, this.issuers);
    return this.searches.actions(
      request.subject,
      request.organizationId,
      request.resource,
      service,
    );
  }
}

/** AuthZEN's PDP metadata (section 9), public; absent where the svc plane is off. */
@ApiTags('permission checks (AuthZEN)')
@Controller('.well-known')
export class PdpMetadataController {
  private readonly metadata: PdpMetadata | null;

  constructor(config: AppConfig) {
    const base = config.publicBaseUrl;
    const at = (path: string) => `${base}/${ACCESS}/${path}`;
    this.metadata =
      config.auth.services === null
        ? null
        : {
            policy_decision_point: base,
            access_evaluation_endpoint: at('evaluation'),
            access_evaluations_endpoint: at('evaluations'),
            search_subject_endpoint: at('search/subject'),
            search_resource_endpoint: at('search/resource'),
            search_action_endpoint: at('search/action'),
          };
  }

  @Get('authzen-configuration')
  @ApiOperation({
    summary: "The decision point's metadata",
    description: 'Absolute URLs built from PUBLIC_BASE_URL, never from the Host header.',
  })
  @ApiOkResponse({ type: PdpMetadata, description: 'The PDP metadata.' })
  @ApiProblems(404)
  configuration(): PdpMetadata {
    if (this.metadata === null) {
      throw new AppException(ErrorCode.ROUTE_NOT_FOUND, 'No route answers this path.');
    }
    return this.metadata;
  }
}
