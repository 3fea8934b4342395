import { ArgumentMetadata, Injectable, ValidationError, ValidationPipe } from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';
import { AppException, FieldError } from '../errors/app.exception';
import { ErrorCode } from '../errors/error-code';
import { closestName } from './suggestion';
import { ID_LIST_CONSTRAINT, findIdListProblem } from './validators';

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** The JSON path of the first key that could reach an object's prototype, if any. */
export function findPrototypeKey(value: unknown, path = ''): string | null {
  if (typeof value !== 'object' || value === null) return null;
  for (const key of Object.keys(value)) {
    const keyPath = Array.isArray(value) ? `${path}[${key}]` : path ? `${path}.${key}` : key;
    if (!Array.isArray(value) && FORBIDDEN_KEYS.has(key)) return keyPath;
    const nested = findPrototypeKey((value as Record<string, unknown>)[key], keyPath);
    if (nested !== null) return nested;
  }
  return null;
}

function childPath(parent: string, property: string): string {
  if (/^\d+$/.test(property)) return `${parent}[${property}]`;
  return parent === '' ? property : `${parent}.${property}`;
}

/** The properties a validated class declares (its validation rules name them all). */
function knownProperties(target: object | undefined): string[] {
  if (target === undefined) return [];
  const rules = getMetadataStorage().getTargetValidationMetadatas(
    target.constructor,
    '',
    true,
    false,
  );
  return [...new Set(rules.map((rule) => rule.propertyName))];
}

/**
 * A number sent as a JSON string (`"2"`) is the most common wrong type: say what to send. Only
 * for bodies: a query parameter is always a string, and its digits are converted already.
 */
function numberHint(value: unknown, source: ValidationSource): string {
  return source === 'body' && typeof value === 'string' && /^-?\d{1,16}$/.test(value)
    ? `; got the string "${value}": send ${value}, a number, without quotes`
    : '';
}

export type ValidationSource = 'body' | 'query' | 'other';

/** Flattens class-validator's tree into `{ field, message }` with JSON paths. */
export function toFieldErrors(
  errors: ValidationError[],
  parent = '',
  source: ValidationSource = 'body',
): FieldError[] {
  return errors.flatMap((error) => {
    const field = childPath(parent, error.property);
    const own = Object.entries(error.constraints ?? {}).map(([constraint, message]) => {
      if (constraint === 'whitelistValidation') {
        const suggestion = closestName(error.property, knownProperties(error.target));
        const hint = suggestion === null ? '' : `; did you mean ${suggestion}?`;
        return { field, message: `is not an allowed property${hint}` };
      }
      if (constraint === ID_LIST_CONSTRAINT) {
        const index = findIdListProblem(error.value)?.index;
        if (index === undefined) return { field, message };
        const item: unknown = (error.value as unknown[])[index];
        return { field: `${field}[${index}]`, message: message + numberHint(item, source) };
      }
      return { field, message: message + numberHint(error.value, source) };
    });
    return [...own, ...toFieldErrors(error.children ?? [], field, source)];
  });
}

/** Carries class-validator's errors from the pipe's factory to transform(), which knows the source. */
class ValidationErrors extends Error {
  constructor(readonly errors: ValidationError[]) {
    super('validation failed');
  }
}

/**
 * Strict validation: no implicit conversion, unknown properties rejected, and the body must be a
 * JSON object (class-validator would let an array through without checking its items).
 */
@Injectable()
export class StrictValidationPipe extends ValidationPipe {
  constructor() {
    super({
      transform: true,
      transformOptions: { enableImplicitConversion: false },
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
      // The target tells which properties exist (did you mean ...?); it never leaves the pipe.
      validationError: { target: true, value: true },
      exceptionFactory: (errors) => new ValidationErrors(errors),
    });
  }

  /**
   * Leaves single path and query values as the strings they came as. The base pipe would run
   * `Number()` on a parameter typed `number` before the route's own pipe sees it, turning
   * "0x10" into 16 and "1e3" into 1000; parsing belongs to the route's pipe (IdPipe).
   */
  protected override transformPrimitive(value: unknown): unknown {
    return value;
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (
      metadata.type === 'body' &&
      (typeof value !== 'object' || value === null || Array.isArray(value))
    ) {
      throw new AppException(ErrorCode.VALIDATION_FAILED, 'The body must be a JSON object.', {
        errors: [{ field: '', message: 'must be a JSON object' }],
      });
    }
    // JSON.parse keeps `__proto__` as an own key; class-transformer would then swap the DTO's
    // prototype and its fields would be inherited, out of the whitelist's sight.
    const prototypeKey = metadata.type === 'body' ? findPrototypeKey(value) : null;
    if (prototypeKey !== null) {
      throw new AppException(ErrorCode.VALIDATION_FAILED, 'The request is not valid.', {
        errors: [{ field: prototypeKey, message: 'is not an allowed property' }],
      });
    }
    try {
      return (await super.transform(value, metadata)) as unknown;
    } catch (error) {
      if (!(error instanceof ValidationErrors)) throw error;
      const source =
        metadata.type === 'body' || metadata.type === 'query' ? metadata.type : 'other';
      throw new AppException(ErrorCode.VALIDATION_FAILED, 'The request is not valid.', {
        errors: toFieldErrors(error.errors, '', source),
      });
    }
  }
}
