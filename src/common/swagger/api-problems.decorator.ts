import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { ERROR_DEFINITIONS, ErrorCode } from '../errors/error-code';
import { PROBLEM_CONTENT_TYPE } from '../errors/problem-details.filter';
import { ProblemDto } from '../errors/problem.dto';
import { problemExamples } from './problem-examples';

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

/**
 * A status with its default description and example codes, or with what fits the route:
 * `{ status: 409, description: '...', codes: [ErrorCode.GROUP_IN_USE] }`, or the short form
 * `[409, 'GROUP_IN_USE: ...']`, whose examples are the codes its description names.
 */
export type ApiProblem =
  | number
  | [status: number, description: string]
  | { status: number; description?: string; codes?: readonly ErrorCode[] };

/** The codes of that status a description names, e.g. `ALREADY_MEMBER: ...`. */
function codesNamedIn(description: string, status: number): ErrorCode[] | undefined {
  const named = Object.values(ErrorCode).filter(
    (code) =>
      Number(ERROR_DEFINITIONS[code].status) === status &&
      new RegExp(`\\b${code}\\b`).test(description),
  );
  return named.length > 0 ? named : undefined;
}

function normalized(problem: ApiProblem): {
  status: number;
  description?: string;
  codes?: readonly ErrorCode[];
} {
  if (typeof problem === 'number') return { status: problem };
  if (Array.isArray(problem)) {
    const [status, description] = problem;
    return { status, description, codes: codesNamedIn(description, status) };
  }
  return problem;
}

/**
 * Documents error responses as problem+json, with the shared ProblemDto schema and one named
 * example per code. Declare each status once per route: Swagger merges a second declaration of
 * the same status into the first, joining the descriptions and dropping the first examples.
 */
export function ApiProblems(...problems: ApiProblem[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(ProblemDto),
    ...problems.map((problem) => {
      const { status, description, codes } = normalized(problem);
      return ApiResponse({
        status,
        description: description ?? DESCRIPTIONS[status],
        content: {
          [PROBLEM_CONTENT_TYPE]: {
            schema: { $ref: getSchemaPath(ProblemDto) },
            examples: problemExamples(status, codes),
          },
        },
      });
    }),
  );
}
