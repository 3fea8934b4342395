import { ValidateIf, ValidationOptions, registerDecorator } from 'class-validator';

export const MAX_SAFE_ID = Number.MAX_SAFE_INTEGER;
export const MIN_SAFE_ID = Number.MIN_SAFE_INTEGER;
export const MAX_ID_LIST_LENGTH = 100;

/**
 * The OpenAPI schema of an id: a positive integer in the safe range. Validation still takes any
 * safe integer (a negative one names nothing, and is answered as such), but none is ever below
 * 1, and the document says what a client should send.
 */
export const ID_SCHEMA = { type: 'integer', minimum: 1, maximum: MAX_SAFE_ID } as const;

export function isSafeInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value);
}

/** Length in Unicode code points, so an emoji counts as one character, as MySQL's utf8mb4 does. */
export function codePointLength(value: string): number {
  return [...value].length;
}

/** The first problem of an id list, with the index it concerns; null when the list is valid. */
export function findIdListProblem(value: unknown): { index?: number; message: string } | null {
  if (!Array.isArray(value)) return { message: 'must be an array of ids' };
  if (value.length > MAX_ID_LIST_LENGTH) {
    return { message: `must hold at most ${MAX_ID_LIST_LENGTH} ids` };
  }
  const seen = new Set<number>();
  for (let index = 0; index < value.length; index++) {
    const id: unknown = value[index];
    if (!isSafeInteger(id)) return { index, message: 'must be an integer in the safe range' };
    if (seen.has(id)) return { index, message: 'is a duplicate id' };
    seen.add(id);
  }
  return null;
}

/** Validates the property even when it is null; only an absent property skips validation. */
export function ValidateIfPresent(): PropertyDecorator {
  return ValidateIf((_object, value) => value !== undefined);
}

/** Skips validation for null as well as for an absent property: for nullable fields. */
export function ValidateIfNotNull(): PropertyDecorator {
  return ValidateIf((_object, value) => value !== undefined && value !== null);
}

export function IsSafeInteger(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isSafeInteger',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: 'must be an integer in the safe range', ...options },
      validator: { validate: isSafeInteger },
    });
}

/** Lone UTF-16 surrogates (no character at all) and C0/C1 control characters. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNPRINTABLE = /[\uD800-\uDFFF\u0000-\u001F\u007F-\u009F]/u;

export function IsCodePointLength(
  min: number,
  max: number,
  options?: ValidationOptions,
): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isCodePointLength',
      target: target.constructor,
      propertyName: propertyName as string,
      constraints: [min, max],
      options: {
        message: `must be a string of ${min} to ${max} characters, without control characters`,
        ...options,
      },
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'string' || UNPRINTABLE.test(value)) return false;
          const length = codePointLength(value);
          return length >= min && length <= max;
        },
      },
    });
}

export const ID_LIST_CONSTRAINT = 'isIdList';

/** Unique safe-integer ids, at most 100; the error names the offending index. */
export function IsIdList(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: ID_LIST_CONSTRAINT,
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message: (args) => findIdListProblem(args.value)?.message ?? 'is not valid',
        ...options,
      },
      validator: { validate: (value: unknown) => findIdListProblem(value) === null },
    });
}
