import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE } from '../errors/problem-details.filter';
import { ProblemDto } from '../errors/problem.dto';

const DESCRIPTIONS: Record<number, string> = {
  400: 'Bad input: malformed JSON, a value of the wrong type or out of range, an unknown property.',
  401: 'A token is missing, invalid or expired, or the session is revoked.',
  403: 'The caller is not allowed to do this.',
  404: 'No active member of the session organization has that id.',
  409: 'The change would break an invariant (the last administrator).',
  412: 'If-Match does not match the current ETag.',
  413: 'The body is over the size limit.',
  415: 'The body is not application/json.',
  422: 'A referenced profession or group does not exist.',
  429: 'Rate limited.',
  503: 'The database or the identity provider is unavailable; see Retry-After.',
};

/** A status with the default description, or with one that fits the route (`[404, '...']`). */
export type ApiProblem = number | [status: number, description: string];

/** Documents error responses as problem+json, with the shared ProblemDto schema. */
export function ApiProblems(...problems: ApiProblem[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(ProblemDto),
    ...problems.map((problem) => {
      const [status, description] =
        typeof problem === 'number' ? [problem, DESCRIPTIONS[problem]] : problem;
      return ApiResponse({
        status,
        description,
        content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: getSchemaPath(ProblemDto) } } },
      });
    }),
  );
}
