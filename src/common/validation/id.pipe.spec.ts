import { ArgumentMetadata } from '@nestjs/common';
import { AppException } from '../errors/app.exception';
import { ErrorCode } from '../errors/error-code';
import { IdPipe, parseId } from './id.pipe';

function rejection(value: string, field?: string): AppException {
  try {
    parseId(value, field);
  } catch (error) {
    if (error instanceof AppException) return error;
    throw new Error(`expected an AppException for ${JSON.stringify(value)}, got ${String(error)}`);
  }
  throw new Error(`expected ${JSON.stringify(value)} to be refused`);
}

describe('parseId', () => {
  it.each([
    ['1', 1],
    ['42', 42],
    ['007', 7],
    ['9007199254740991', 9007199254740991],
  ])('parses %p as %p', (input, expected) => {
    expect(parseId(input)).toBe(expected);
  });

  it.each([
    '0',
    '00',
    '-0',
    '-1',
    '9007199254740992',
    '9999999999999999',
    '10000000000000000',
    '1'.repeat(400),
    '1e3',
    '0x10',
    ' 1',
    '1 ',
    '+1',
    '',
    '1.0',
    '1.',
    '.5',
    '1_000',
    'Infinity',
    'NaN',
    'me',
    'null',
    '\u0661', // Arabic-Indic digit one
    '\uFF11', // full-width digit one
  ])('refuses %p with INVALID_ID', (input) => {
    const error = rejection(input);
    expect(error.code).toBe(ErrorCode.INVALID_ID);
    expect(error.status).toBe(400);
    expect(error.options.errors).toEqual([
      { field: 'id', message: 'must be a positive integer in the safe range' },
    ]);
  });

  it('names the field and the accepted range', () => {
    const error = rejection('x', 'groupId');
    expect(error.options.errors?.[0].field).toBe('groupId');
    expect(error.detail).toBe('groupId must be a decimal integer between 1 and 9007199254740991.');
  });
});

describe('IdPipe', () => {
  const pipe = new IdPipe();
  const param = (data?: string): ArgumentMetadata => ({ type: 'param', data });

  it('returns the number', () => {
    expect(pipe.transform('12', param('groupId'))).toBe(12);
  });

  it('names the route parameter in the error', () => {
    expect(() => pipe.transform('abc', param('groupId'))).toThrow(
      expect.objectContaining({
        code: ErrorCode.INVALID_ID,
        options: { errors: [expect.objectContaining({ field: 'groupId' })] },
      }),
    );
  });

  it('falls back to "id" without a parameter name', () => {
    expect(() => pipe.transform('0')).toThrow(
      expect.objectContaining({
        options: { errors: [expect.objectContaining({ field: 'id' })] },
      }),
    );
  });
});
