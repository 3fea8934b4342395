import { AppException } from '../errors/app.exception';
import { ErrorCode } from '../errors/error-code';
import { UserIdPipe, parseUserReference } from './user-id.pipe';

function rejection(value: string): AppException {
  try {
    parseUserReference(value);
  } catch (error) {
    if (error instanceof AppException) return error;
    throw new Error(`expected an AppException for ${JSON.stringify(value)}, got ${String(error)}`);
  }
  throw new Error(`expected ${JSON.stringify(value)} to be refused`);
}

describe('parseUserReference', () => {
  it('returns "me" for me', () => {
    expect(parseUserReference('me')).toBe('me');
  });

  it.each([
    ['0', 0],
    ['1', 1],
    ['42', 42],
    ['007', 7],
    ['-1', -1],
    ['9007199254740991', 9007199254740991],
    ['-9007199254740991', -9007199254740991],
  ])('parses %p as %p', (input, expected) => {
    expect(parseUserReference(input)).toBe(expected);
  });

  it('parses -0 as a positive zero', () => {
    const parsed = parseUserReference('-0');
    expect(parsed).toBe(0);
    expect(Object.is(parsed, -0)).toBe(false);
  });

  it.each([
    '9007199254740992',
    '-9007199254740992',
    '9999999999999999',
    '10000000000000000',
    '12345678901234567890',
    '1'.repeat(400),
    '1e3',
    '1E3',
    '0x10',
    '0b1',
    '0o7',
    ' 1',
    '1 ',
    '\t1',
    '1\n',
    '+1',
    '--1',
    '-',
    '',
    'ME',
    'Me',
    ' me',
    'me ',
    'you',
    '1.0',
    '1.',
    '.5',
    '1_000',
    'Infinity',
    'NaN',
    '\u0661', // Arabic-Indic digit one
    '\uFF11', // full-width digit one
    'null',
    'undefined',
  ])('refuses %p with INVALID_USER_ID', (input) => {
    const error = rejection(input);
    expect(error.code).toBe(ErrorCode.INVALID_USER_ID);
    expect(error.status).toBe(400);
    expect(error.options.errors).toEqual([
      { field: 'userId', message: 'must be "me" or a safe integer' },
    ]);
  });

  it('names the accepted range in the detail', () => {
    const error = rejection('abc');
    expect(error.detail).toContain('"me"');
    expect(error.detail).toContain('-9007199254740991');
    expect(error.detail).toContain('9007199254740991');
  });
});

describe('UserIdPipe', () => {
  const pipe = new UserIdPipe();

  it('delegates to parseUserReference', () => {
    expect(pipe.transform('me')).toBe('me');
    expect(pipe.transform('12')).toBe(12);
  });

  it('throws an AppException with INVALID_USER_ID for bad input', () => {
    expect(() => pipe.transform('1e3')).toThrow(AppException);
    expect(() => pipe.transform('1e3')).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_USER_ID }),
    );
  });
});
