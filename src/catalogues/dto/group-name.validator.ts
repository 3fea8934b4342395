import { registerDecorator } from 'class-validator';
import { codePointLength } from '../../common/validation/validators';

export const GROUP_NAME_MAX_LENGTH = 250;

// With the `u` flag a well-formed surrogate pair is one code point, so only lone halves match.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
const CONTROL_CHARACTER = /\p{Cc}/u;
const EDGE_WHITESPACE = /^\s|\s$/u;

/**
 * Why a group name is refused, or null. Names are stored as sent (no trimming): a name with
 * whitespace at either end is refused rather than silently changed, which also keeps MariaDB's
 * PAD SPACE comparison ("Day" = "Day ") from making the engines disagree on duplicates.
 */
export function groupNameProblem(value: unknown): string | null {
  if (typeof value !== 'string') return 'must be a string';
  const length = codePointLength(value);
  if (length < 1 || length > GROUP_NAME_MAX_LENGTH) {
    return `must be 1 to ${GROUP_NAME_MAX_LENGTH} characters long`;
  }
  if (EDGE_WHITESPACE.test(value)) return 'must not start or end with whitespace';
  if (CONTROL_CHARACTER.test(value)) return 'must not contain control characters';
  if (LONE_SURROGATE.test(value)) return 'must be well-formed Unicode';
  return null;
}

export function IsGroupName(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isGroupName',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: (args) => groupNameProblem(args.value) ?? 'is not valid' },
      validator: { validate: (value: unknown) => groupNameProblem(value) === null },
    });
}
