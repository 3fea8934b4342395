import { Injectable, PipeTransform } from '@nestjs/common';
import { AppException } from '../errors/app.exception';
import { ErrorCode } from '../errors/error-code';

const DECIMAL_INTEGER = /^-?\d{1,16}$/;

/** `me`, or a decimal integer in the safe range; anything else is a 400, never a lookup. */
export function parseUserReference(value: string): number | 'me' {
  if (value === 'me') return 'me';
  if (DECIMAL_INTEGER.test(value)) {
    const id = Number(value);
    if (Number.isSafeInteger(id)) return id === 0 ? 0 : id;
  }
  throw new AppException(
    ErrorCode.INVALID_USER_ID,
    'userId must be "me" or a decimal integer between -9007199254740991 and 9007199254740991.',
    { errors: [{ field: 'userId', message: 'must be "me" or a safe integer' }] },
  );
}

@Injectable()
export class UserIdPipe implements PipeTransform<string, number | 'me'> {
  transform(value: string): number | 'me' {
    return parseUserReference(value);
  }
}
