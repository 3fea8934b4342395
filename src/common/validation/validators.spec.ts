import {
  MAX_ID_LIST_LENGTH,
  MAX_SAFE_ID,
  MIN_SAFE_ID,
  codePointLength,
  findIdListProblem,
  isSafeInteger,
} from './validators';

describe('codePointLength', () => {
  it('counts ASCII characters one each', () => {
    expect(codePointLength('')).toBe(0);
    expect(codePointLength('Alice')).toBe(5);
  });

  it('counts an astral emoji (a surrogate pair) as one', () => {
    const smile = '\u{1F600}';
    expect(smile.length).toBe(2);
    expect(codePointLength(smile)).toBe(1);
    expect(codePointLength(smile.repeat(250))).toBe(250);
  });

  it('counts BMP accented letters one each', () => {
    expect(codePointLength('Zo\u00e9 \u00c9lodie')).toBe(10);
  });

  it('counts a combining mark as its own code point', () => {
    const decomposed = 'e\u0301';
    expect(codePointLength(decomposed)).toBe(2);
    expect(codePointLength(decomposed.normalize('NFC'))).toBe(1);
  });

  it('counts a variation selector as its own code point', () => {
    const heart = '\u2764\uFE0F';
    expect(heart.length).toBe(2);
    expect(codePointLength(heart)).toBe(2);
  });

  it('counts each code point of a ZWJ sequence and of a flag', () => {
    // man + ZWJ + woman + ZWJ + girl
    expect(codePointLength('\u{1F468}\u200D\u{1F469}\u200D\u{1F467}')).toBe(5);
    // regional indicators F + R
    expect(codePointLength('\u{1F1EB}\u{1F1F7}')).toBe(2);
    // emoji + skin tone modifier
    expect(codePointLength('\u{1F44D}\u{1F3FD}')).toBe(2);
  });

  it('counts a lone surrogate as one', () => {
    expect(codePointLength('\uD83D')).toBe(1);
    expect(codePointLength('a\uDE00b')).toBe(3);
  });

  it('counts CJK and mixed text', () => {
    expect(codePointLength('\u5C71\u7530 \u{20BB7}')).toBe(4);
  });
});

describe('isSafeInteger', () => {
  it.each([0, 1, -1, MAX_SAFE_ID, MIN_SAFE_ID])('accepts %p', (value) => {
    expect(isSafeInteger(value)).toBe(true);
  });

  it.each([
    1.5,
    2 ** 53,
    -(2 ** 53),
    1e21,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    '1',
    null,
    undefined,
    true,
    BigInt(1),
    [1],
  ])('refuses %p', (value) => {
    expect(isSafeInteger(value)).toBe(false);
  });
});

describe('findIdListProblem', () => {
  it('accepts an empty list', () => {
    expect(findIdListProblem([])).toBeNull();
  });

  it('accepts unique safe integers in any order, at the bounds too', () => {
    expect(findIdListProblem([3, 1, 2])).toBeNull();
    expect(findIdListProblem([MIN_SAFE_ID, 0, MAX_SAFE_ID])).toBeNull();
  });

  it('accepts exactly 100 ids', () => {
    const ids = Array.from({ length: MAX_ID_LIST_LENGTH }, (_, index) => index + 1);
    expect(MAX_ID_LIST_LENGTH).toBe(100);
    expect(findIdListProblem(ids)).toBeNull();
  });

  it.each([
    ['null', null],
    ['undefined', undefined],
    ['a number', 1],
    ['a string', '1,2'],
    ['an object', { 0: 1, length: 1 }],
  ])('refuses %s as not an array, with no index', (_name, value) => {
    const problem = findIdListProblem(value);
    expect(problem).not.toBeNull();
    expect(problem?.message).toBe('must be an array of ids');
    expect(problem?.index).toBeUndefined();
  });

  it('refuses 101 ids, with no index', () => {
    const ids = Array.from({ length: MAX_ID_LIST_LENGTH + 1 }, (_, index) => index + 1);
    const problem = findIdListProblem(ids);
    expect(problem?.message).toBe('must hold at most 100 ids');
    expect(problem?.index).toBeUndefined();
  });

  it('checks the length before the items', () => {
    const ids: unknown[] = Array.from({ length: 101 }, () => 'x');
    expect(findIdListProblem(ids)?.message).toBe('must hold at most 100 ids');
  });

  it.each([
    ['a float', 1.5],
    ['1e21', 1e21],
    ['2 ** 53', 2 ** 53],
    ['-(2 ** 53)', -(2 ** 53)],
    ['a numeric string', '2'],
    ['a string', 'two'],
    ['null', null],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['a boolean', true],
    ['a nested array', [2]],
    ['an object', { id: 2 }],
  ])('refuses %s and reports its index', (_name, bad) => {
    const problem = findIdListProblem([1, bad, 3]);
    expect(problem).toEqual({ index: 1, message: 'must be an integer in the safe range' });
  });

  it('reports index 0 for a bad first element', () => {
    expect(findIdListProblem([0.5])).toEqual({
      index: 0,
      message: 'must be an integer in the safe range',
    });
  });

  it('reports the index of the second occurrence of a duplicate', () => {
    expect(findIdListProblem([4, 5, 6, 5])).toEqual({ index: 3, message: 'is a duplicate id' });
  });

  it('reports the first problem found, in order', () => {
    expect(findIdListProblem([1, 1, 'x'])).toEqual({ index: 1, message: 'is a duplicate id' });
    expect(findIdListProblem([1, 'x', 1])).toEqual({
      index: 1,
      message: 'must be an integer in the safe range',
    });
  });

  it('treats 0 and -0 as the same id', () => {
    expect(findIdListProblem([0, -0])).toEqual({ index: 1, message: 'is a duplicate id' });
  });

  it('checks holes in sparse arrays as undefined', () => {
    // eslint-disable-next-line no-sparse-arrays
    const sparse = [1, , 3];
    expect(findIdListProblem(sparse)).toEqual({
      index: 1,
      message: 'must be an integer in the safe range',
    });
  });
});
