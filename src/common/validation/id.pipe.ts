import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { AppException } from '../errors/app.exception';
import { ErrorCode } from '../errors/error-code';
import { MAX_SAFE_ID } from './validators';

const DECIMAL_DIGITS = /^\d{1,16}$/;

/**
 * A positive decimal integer in the safe range (leading zeros allowed, as for user ids);
 * anything else is a 400 naming the parameter, never a lookup.
 */
export function parseId(value: string, field = 'id'): number {
  if (DECIMAL_DIGITS.test(value)) {
    const id = Number(value);
    if (id >= 1 && id <= MAX_SAFE_ID) return id;
  }
  throw new AppException(
    ErrorCode.INVALID_ID,
    `${field} must be a decimal integer between 1 and ${MAX_SAFE_ID}.`,
    { errors: [{ field, message: 'must be a positive integer in the safe range' }] },
  );
}

/** For path ids of stored rows: `@Param('groupId', IdPipe)`; the error names the parameter. */
@Injectable()
export class IdPipe implements PipeTransform<string, number> {
  transform(value: string, metadata?: ArgumentMetadata): number {
    return parseId(value, metadata?.data ?? 'id');
  }
}
