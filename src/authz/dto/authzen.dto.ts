import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** The AuthZEN shapes as the OpenAPI document shows them; requests are checked by authzen-request.ts. */
export class AuthzenSubject {
  @ApiProperty({ enum: ['user', 'user_id'], example: 'user' })
  type!: string;

  @ApiProperty({
    example: 'bob',
    description: "`user`: the identity provider's subject (`sub`); `user_id`: this API's user id.",
  })
  id!: string;

  @ApiPropertyOptional({
    example: { issuer: 'https://idp.example' },
    description:
      '`issuer` of a `user`: the default issuer unless given; required when several are trusted.',
  })
  properties?: Record<string, unknown>;
}

export class AuthzenResource {
  @ApiProperty({ enum: ['member', 'group', 'organization'], example: 'member' })
  type!: string;

  @ApiProperty({ example: '2', description: 'A user id, a group id, or an organization id.' })
  id!: string;

  @ApiPropertyOptional({
    example: { organizationId: 1 },
    description: '`organizationId` (a JSON number) of a member or a group.',
  })
  properties?: Record<string, unknown>;
}

export class AuthzenAction {
  @ApiProperty({
    example: 'read',
    description:
      'member: `read`, `update_profile`; group: `read`, `manage`; organization: `administer`.',
  })
  name!: string;
}

export class EvaluationRequest {
  @ApiProperty({ type: () => AuthzenSubject })
  subject!: AuthzenSubject;

  @ApiProperty({ type: () => AuthzenResource })
  resource!: AuthzenResource;

  @ApiProperty({ type: () => AuthzenAction })
  action!: AuthzenAction;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  context?: Record<string, unknown>;
}

export class DecisionContext {
  @ApiProperty({
    enum: [
      'SELF',
      'ADMINISTRATOR',
      'MANAGES_GROUP',
      'READS_GROUP',
      'NOT_A_MEMBER',
      'ORGANIZATION_ARCHIVED',
      'TARGET_NOT_FOUND',
      'NOT_ALLOWED',
    ],
    example: 'READS_GROUP',
  })
  reason!: string;

  @ApiPropertyOptional({
    example: true,
    description: 'Present when the organization requires a second factor.',
  })
  mfaRequired?: boolean;
}

export class EvaluationResponse {
  @ApiProperty({ example: true })
  decision!: boolean;

  @ApiProperty({ type: () => DecisionContext })
  context!: DecisionContext;
}

export class EvaluationsEntry {
  @ApiPropertyOptional({ type: () => AuthzenSubject })
  subject?: AuthzenSubject;

  @ApiPropertyOptional({ type: () => AuthzenResource })
  resource?: AuthzenResource;

  @ApiPropertyOptional({ type: () => AuthzenAction })
  action?: AuthzenAction;
}

export class EvaluationsOptions {
  @ApiPropertyOptional({
    enum: ['execute_all', 'deny_on_first_deny', 'permit_on_first_permit'],
    default: 'execute_all',
  })
  evaluations_semantic?: string;
}

export class EvaluationsRequest extends EvaluationsEntry {
  @ApiPropertyOptional({ type: () => EvaluationsEntry, isArray: true, maxItems: 100 })
  evaluations?: EvaluationsEntry[];

  @ApiPropertyOptional({ type: () => EvaluationsOptions })
  options?: EvaluationsOptions;
}

export class EvaluationsResponse {
  @ApiProperty({ type: () => EvaluationResponse, isArray: true })
  evaluations!: EvaluationResponse[];
}

export class SearchPageRequest {
  @ApiPropertyOptional({ example: '', description: '`next_token` of the previous answer.' })
  token?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 100, default: 50 })
  limit?: number;
}

/** A search names the entity it looks for by its type alone. */
export class SearchEntity {
  @ApiProperty({
    example: 'member',
    description: 'The entity type (its id omitted when searched).',
  })
  type!: string;

  @ApiPropertyOptional({ example: '2' })
  id?: string;

  @ApiPropertyOptional({ example: { organizationId: 1 } })
  properties?: Record<string, unknown>;
}

export class SearchRequest {
  @ApiPropertyOptional({ type: () => SearchEntity })
  subject?: SearchEntity;

  @ApiPropertyOptional({ type: () => SearchEntity })
  resource?: SearchEntity;

  @ApiPropertyOptional({ type: () => AuthzenAction })
  action?: AuthzenAction;

  @ApiPropertyOptional({ type: () => SearchPageRequest })
  page?: SearchPageRequest;
}

export class SearchPageResponse {
  @ApiProperty({ example: '', description: 'Empty on the last page.' })
  next_token!: string;

  @ApiProperty({ type: 'integer', example: 2 })
  count!: number;
}

export class SearchResponse {
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true } })
  results!: object[];

  @ApiProperty({ type: () => SearchPageResponse })
  page!: SearchPageResponse;
}

export class PdpMetadata {
  @ApiProperty({ example: 'https://api.example' })
  policy_decision_point!: string;

  @ApiProperty({ example: 'https://api.example/users-organizations/v1/svc/access/v1/evaluation' })
  access_evaluation_endpoint!: string;

  @ApiProperty({ example: 'https://api.example/users-organizations/v1/svc/access/v1/evaluations' })
  access_evaluations_endpoint!: string;

  @ApiProperty({
    example: 'https://api.example/users-organizations/v1/svc/access/v1/search/subject',
  })
  search_subject_endpoint!: string;

  @ApiProperty({
    example: 'https://api.example/users-organizations/v1/svc/access/v1/search/resource',
  })
  search_resource_endpoint!: string;

  @ApiProperty({
    example: 'https://api.example/users-organizations/v1/svc/access/v1/search/action',
  })
  search_action_endpoint!: string;
}
