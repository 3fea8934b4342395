import { ERROR_DEFINITIONS, ErrorCode } from '../errors/error-code';
import { problemType } from '../errors/problem-details.filter';
import { DEFAULT_PROBLEM_CODES, problemExamples } from './problem-examples';

describe('problemExamples', () => {
  it('names each example by its code, with the body the filter would send', () => {
    const examples = problemExamples(409, [ErrorCode.LAST_ADMIN]);
    expect(Object.keys(examples)).toEqual(['LAST_ADMIN']);
    expect(examples.LAST_ADMIN.value).toEqual({
      type: problemType(ErrorCode.LAST_ADMIN),
      title: ERROR_DEFINITIONS.LAST_ADMIN.title,
      status: 409,
      detail: expect.any(String),
      code: 'LAST_ADMIN',
      instance: expect.any(String),
      requestId: expect.any(String),
    });
  });

  it('refuses a code that answers another status', () => {
    expect(() => problemExamples(400, [ErrorCode.LAST_ADMIN])).toThrow(/LAST_ADMIN answers 409/);
  });

  it.each(Object.entries(DEFAULT_PROBLEM_CODES))(
    'has default examples for %s, each of that status',
    (status, codes) => {
      expect(codes.length).toBeGreaterThan(0);
      expect(Object.keys(problemExamples(Number(status)))).toEqual(codes);
    },
  );

  it('shows field errors for validation, with a JSON path and a hint', () => {
    const value = problemExamples(400, [ErrorCode.VALIDATION_FAILED]).VALIDATION_FAILED.value as {
      errors: { field: string; message: string }[];
    };
    expect(value.errors).toContainEqual({
      field: 'fristName',
      message: expect.stringMatching(/did you mean firstName\?/),
    });
  });
});
