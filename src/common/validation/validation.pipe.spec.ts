import 'reflect-metadata';
import { ArgumentMetadata } from '@nestjs/common';
import { AppException, FieldError } from '../errors/app.exception';
import { ErrorCode } from '../errors/error-code';
import { Scope } from '../../users-organizations/entities/membership.entity';
import { PermissionsDto } from '../../users-organizations/dto/membership-properties';
import {
  UpdateMembershipDto,
  changesFrom,
} from '../../users-organizations/dto/update-membership.dto';
import { ListMembershipsQuery } from '../../users-organizations/dto/list-memberships.query';
import { StrictValidationPipe, findPrototypeKey, toFieldErrors } from './validation.pipe';

const BODY: ArgumentMetadata = { type: 'body', metatype: UpdateMembershipDto };
const pipe = new StrictValidationPipe();

/** Parses like the HTTP layer does, so `__proto__` stays an own key. */
function json(text: string): unknown {
  return JSON.parse(text) as unknown;
}

async function accept(body: unknown): Promise<UpdateMembershipDto> {
  const result = await pipe.transform(body, BODY);
  expect(result).toBeInstanceOf(UpdateMembershipDto);
  return result as UpdateMembershipDto;
}

async function refuse(body: unknown): Promise<AppException> {
  let caught: unknown;
  try {
    await pipe.transform(body, BODY);
  } catch (error) {
    caught = error;
  }
  if (!(caught instanceof AppException)) {
    throw new Error(`expected an AppException, got ${String(caught)}`);
  }
  expect(caught.code).toBe(ErrorCode.VALIDATION_FAILED);
  expect(caught.status).toBe(400);
  return caught;
}

async function fieldsOf(body: unknown): Promise<string[]> {
  const error = await refuse(body);
  return (error.options.errors ?? []).map((fieldError) => fieldError.field);
}

async function errorsOf(body: unknown): Promise<FieldError[]> {
  return (await refuse(body)).options.errors ?? [];
}

const validPermissions = { group: 1, read: [1, 2], manage: [1] };

describe('StrictValidationPipe on UpdateMembershipDto', () => {
  describe('accepted bodies', () => {
    it('accepts each field alone', async () => {
      expect((await accept({ firstName: 'Alice' })).firstName).toBe('Alice');
      expect((await accept({ lastName: 'Martin' })).lastName).toBe('Martin');
      expect((await accept({ professionId: 2 })).professionId).toBe(2);
      expect((await accept({ scope: 1 })).scope).toBe(Scope.Administrator);
      expect((await accept({ scope: 2 })).scope).toBe(Scope.Member);
    });

    it('accepts professionId null (clearing it)', async () => {
      const dto = await accept({ professionId: null });
      expect(dto.professionId).toBeNull();
    });

    it('accepts a whole permissions object and builds a PermissionsDto', async () => {
      const dto = await accept({ permissions: validPermissions });
      expect(dto.permissions).toBeInstanceOf(PermissionsDto);
      expect(dto.permissions).toEqual(validPermissions);
    });

    it('accepts permissions with group null and empty lists', async () => {
      const dto = await accept({ permissions: { group: null, read: [], manage: [] } });
      expect(dto.permissions?.group).toBeNull();
    });

    it('accepts 250 emoji as a name (counted as characters, not UTF-16 units)', async () => {
      const name = '\u{1F600}'.repeat(250);
      const dto = await accept({ firstName: name, lastName: name });
      expect(dto.firstName).toBe(name);
    });

    it('accepts a one-character name and a 250-character name', async () => {
      await accept({ firstName: 'A', lastName: 'x'.repeat(250) });
    });

    it('accepts 100 ids in a list', async () => {
      const ids = Array.from({ length: 100 }, (_, index) => index + 1);
      const dto = await accept({ permissions: { group: 1, read: ids, manage: ids } });
      expect(dto.permissions?.read).toHaveLength(100);
    });

    it('accepts an empty object here (changesFrom refuses it later)', async () => {
      await accept({});
    });

    it('leaves a value of another parameter type alone (not a body)', async () => {
      const query: ArgumentMetadata = { type: 'query', metatype: String };
      expect(await pipe.transform('x', query)).toBe('x');
    });
  });

  describe('unknown properties', () => {
    it('refuses an unknown top-level property by name', async () => {
      const errors = await errorsOf({ firstName: 'A', nickname: 'Al' });
      expect(errors).toEqual([{ field: 'nickname', message: 'is not an allowed property' }]);
    });

    it('refuses an unknown nested property as permissions.extra', async () => {
      const errors = await errorsOf({ permissions: { ...validPermissions, extra: true } });
      expect(errors).toEqual([
        { field: 'permissions.extra', message: 'is not an allowed property' },
      ]);
    });

    it.each([
      ['fristName', 'firstName'],
      ['first_name', 'firstName'],
      ['lastname', 'lastName'],
      ['profesionId', 'professionId'],
      ['scop', 'scope'],
    ])('asks whether %s meant %s', async (unknown, known) => {
      const errors = await errorsOf({ [unknown]: 'x' });
      expect(errors).toEqual([
        { field: unknown, message: `is not an allowed property; did you mean ${known}?` },
      ]);
    });

    it("suggests among the nested object's own properties", async () => {
      const errors = await errorsOf({ permissions: { group: 1, reed: [1], manage: [] } });
      expect(errors).toContainEqual({
        field: 'permissions.reed',
        message: 'is not an allowed property; did you mean read?',
      });
    });

    it('refuses server-managed fields sent by the client', async () => {
      const fields = await fieldsOf({ firstName: 'A', userId: 3, organizationId: 2, version: 1 });
      expect(fields.sort()).toEqual(['organizationId', 'userId', 'version']);
    });

    it('refuses a __proto__ key (as parsed from JSON) by its path', async () => {
      const errors = await errorsOf(json('{"firstName":"A","__proto__":{"scope":1}}'));
      expect(errors).toEqual([{ field: '__proto__', message: 'is not an allowed property' }]);
    });

    it('refuses a nested __proto__ key by its path', async () => {
      const body = json('{"permissions":{"group":1,"read":[],"manage":[],"__proto__":{"x":1}}}');
      expect(await fieldsOf(body)).toEqual(['permissions.__proto__']);
    });

    it('refuses a constructor key', async () => {
      expect(await fieldsOf(json('{"constructor":{"prototype":{}}}'))).toEqual(['constructor']);
    });
  });

  describe('scope', () => {
    it('refuses "1" as a scope (no implicit conversion), saying to send the number', async () => {
      const errors = await errorsOf({ scope: '1' });
      expect(errors).toEqual([
        {
          field: 'scope',
          message:
            'must be the number 1 or 2; got the string "1": send 1, a number, without quotes',
        },
      ]);
    });

    it.each([3, 0, -1, 1.5, null, true, [1], { value: 1 }])(
      'refuses %p as a scope',
      async (scope) => {
        expect(await fieldsOf({ scope })).toEqual(['scope']);
      },
    );
  });

  describe('names', () => {
    it('refuses a null firstName', async () => {
      const errors = await errorsOf({ firstName: null });
      expect(errors).toEqual([
        {
          field: 'firstName',
          message: 'must be a string',
        },
      ]);
    });

    it('refuses a null lastName', async () => {
      expect(await fieldsOf({ lastName: null })).toEqual(['lastName']);
    });

    it('refuses an empty string', async () => {
      expect(await fieldsOf({ firstName: '' })).toEqual(['firstName']);
      expect(await fieldsOf({ lastName: '' })).toEqual(['lastName']);
    });

    it('refuses 251 characters', async () => {
      expect(await fieldsOf({ firstName: 'x'.repeat(251) })).toEqual(['firstName']);
    });

    it('refuses 251 emoji', async () => {
      expect(await fieldsOf({ lastName: '\u{1F600}'.repeat(251) })).toEqual(['lastName']);
    });

    it('refuses a number as a name (no conversion to string)', async () => {
      expect(await fieldsOf({ firstName: 12 })).toEqual(['firstName']);
    });

    it('reports both names when both are bad', async () => {
      expect((await fieldsOf({ firstName: '', lastName: 5 })).sort()).toEqual([
        'firstName',
        'lastName',
      ]);
    });
  });

  describe('professionId', () => {
    it.each([1.5, 2 ** 53, 1e21, true, [2], {}, 'two'])('refuses %p', async (professionId) => {
      const errors = await errorsOf({ professionId });
      expect(errors).toEqual([
        { field: 'professionId', message: 'must be a profession id or null' },
      ]);
    });

    it('refuses "2", saying to send the number without quotes', async () => {
      const errors = await errorsOf({ professionId: '2' });
      expect(errors).toEqual([
        {
          field: 'professionId',
          message:
            'must be a profession id or null; got the string "2": send 2, a number, without quotes',
        },
      ]);
    });
  });

  describe('permissions', () => {
    it('refuses permissions null', async () => {
      expect(await fieldsOf({ permissions: null })).toContain('permissions');
    });

    it.each([[[1, 2]], ['group'], [5]])('refuses %p as permissions', async (permissions) => {
      expect(await fieldsOf({ permissions })).toContain('permissions');
    });

    it('refuses permissions missing the group key', async () => {
      const errors = await errorsOf({ permissions: { read: [1], manage: [] } });
      expect(errors).toEqual([
        { field: 'permissions.group', message: 'must be a group id or null' },
      ]);
    });

    it('refuses permissions missing read or manage', async () => {
      expect(await fieldsOf({ permissions: { group: 1, manage: [] } })).toEqual([
        'permissions.read',
      ]);
      expect(await fieldsOf({ permissions: { group: 1, read: [] } })).toEqual([
        'permissions.manage',
      ]);
    });

    it('refuses an empty permissions object, naming every key', async () => {
      expect((await fieldsOf({ permissions: {} })).sort()).toEqual([
        'permissions.group',
        'permissions.manage',
        'permissions.read',
      ]);
    });

    it('refuses a string group', async () => {
      expect(await fieldsOf({ permissions: { ...validPermissions, group: '1' } })).toEqual([
        'permissions.group',
      ]);
    });

    it('reports a bad second element as permissions.read[1]', async () => {
      const errors = await errorsOf({ permissions: { group: 1, read: [1, 'x', 3], manage: [] } });
      expect(errors).toEqual([
        { field: 'permissions.read[1]', message: 'must be an integer in the safe range' },
      ]);
    });

    it.each([1.5, 2 ** 53, 1e21, null])('reports %p at its index in manage', async (bad) => {
      const errors = await errorsOf({ permissions: { group: 1, read: [], manage: [1, 2, bad] } });
      expect(errors).toEqual([
        { field: 'permissions.manage[2]', message: 'must be an integer in the safe range' },
      ]);
    });

    it('reports "2" at its index in manage, saying to send the number', async () => {
      const errors = await errorsOf({ permissions: { group: 1, read: [], manage: [1, 2, '2'] } });
      expect(errors).toEqual([
        {
          field: 'permissions.manage[2]',
          message:
            'must be an integer in the safe range; got the string "2": send 2, a number, without quotes',
        },
      ]);
    });

    it('reports a duplicate id at the index of its second occurrence', async () => {
      const errors = await errorsOf({ permissions: { group: 1, read: [5, 6, 5], manage: [] } });
      expect(errors).toEqual([{ field: 'permissions.read[2]', message: 'is a duplicate id' }]);
    });

    it('refuses 101 ids with the list as the field', async () => {
      const ids = Array.from({ length: 101 }, (_, index) => index + 1);
      const errors = await errorsOf({ permissions: { group: 1, read: [], manage: ids } });
      expect(errors).toEqual([
        { field: 'permissions.manage', message: 'must hold at most 100 ids' },
      ]);
    });

    it('refuses a non-array list with the list as the field', async () => {
      const errors = await errorsOf({ permissions: { group: 1, read: '1,2', manage: [] } });
      expect(errors).toEqual([{ field: 'permissions.read', message: 'must be an array of ids' }]);
    });

    it('reports every bad field of a body at once', async () => {
      const fields = await fieldsOf({
        firstName: '',
        scope: '2',
        permissions: { group: 'x', read: [1, 1], manage: [0.5], extra: 1 },
        other: true,
      });
      expect(fields.sort()).toEqual(
        [
          'firstName',
          'other',
          'permissions.extra',
          'permissions.group',
          'permissions.manage[0]',
          'permissions.read[1]',
          'scope',
        ].sort(),
      );
    });
  });

  describe('non-object bodies', () => {
    it.each([
      ['an array', [{ firstName: 'A' }]],
      ['an empty array', []],
      ['a string', 'firstName=A'],
      ['null', null],
      ['a number', 42],
      ['a boolean', true],
      ['undefined', undefined],
    ])('refuses %s as the body', async (_name, body) => {
      const error = await refuse(body);
      expect(error.detail).toBe('The body must be a JSON object.');
      expect(error.options.errors).toEqual([{ field: '', message: 'must be a JSON object' }]);
    });
  });
});

describe('changesFrom', () => {
  it('refuses an empty body with EMPTY_UPDATE (400)', () => {
    let caught: unknown;
    try {
      changesFrom(new UpdateMembershipDto());
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AppException);
    expect((caught as AppException).code).toBe(ErrorCode.EMPTY_UPDATE);
    expect((caught as AppException).status).toBe(400);
  });

  it('refuses a validated empty object with EMPTY_UPDATE', async () => {
    const dto = await pipe.transform({}, BODY);
    expect(() => changesFrom(dto as UpdateMembershipDto)).toThrow(AppException);
  });

  it('keeps professionId null as a change', () => {
    const dto = Object.assign(new UpdateMembershipDto(), { professionId: null });
    expect(changesFrom(dto)).toEqual({ professionId: null });
  });

  it('copies only the three permission keys', async () => {
    const dto = await accept({ firstName: 'A', scope: 1, permissions: validPermissions });
    const changes = changesFrom(dto);
    expect(changes).toEqual({ firstName: 'A', scope: 1, permissions: validPermissions });
    expect(changes.permissions).not.toBeInstanceOf(PermissionsDto);
    expect(Object.keys(changes.permissions ?? {}).sort()).toEqual(['group', 'manage', 'read']);
  });

  it('copies every field that is present', () => {
    const dto = Object.assign(new UpdateMembershipDto(), {
      firstName: 'A',
      lastName: 'B',
      professionId: 3,
      scope: Scope.Member,
    });
    expect(changesFrom(dto)).toEqual({
      firstName: 'A',
      lastName: 'B',
      professionId: 3,
      scope: Scope.Member,
    });
  });
});

describe('findPrototypeKey', () => {
  it('is null for plain values and clean objects', () => {
    expect(findPrototypeKey(null)).toBeNull();
    expect(findPrototypeKey('__proto__')).toBeNull();
    expect(findPrototypeKey({ a: { b: [1, { c: 2 }] } })).toBeNull();
  });

  it('finds a key deep inside arrays with a JSON path', () => {
    expect(findPrototypeKey(json('{"a":[{"b":1},{"prototype":2}]}'))).toBe('a[1].prototype');
  });
});

describe('toFieldErrors', () => {
  it('uses brackets for numeric properties and dots for names', () => {
    expect(
      toFieldErrors([
        {
          property: 'a',
          children: [
            { property: '0', constraints: { x: 'bad zero' }, children: [] },
            { property: 'b', constraints: { y: 'bad b' }, children: [] },
          ],
        },
      ]),
    ).toEqual([
      { field: 'a[0]', message: 'bad zero' },
      { field: 'a.b', message: 'bad b' },
    ]);
  });
});

describe('StrictValidationPipe on single path and query values', () => {
  it.each([
    ['param', '0x10'],
    ['param', '1e3'],
    ['param', ' '],
    ['query', '12'],
  ] as const)(
    'leaves the %s %p of type number as a string, for the route pipe',
    async (type, value) => {
      expect(await pipe.transform(value, { type, metatype: Number, data: 'id' })).toBe(value);
    },
  );

  it('leaves a boolean-typed query value as sent', async () => {
    expect(await pipe.transform('yes', { type: 'query', metatype: Boolean, data: 'flag' })).toBe(
      'yes',
    );
  });
});

describe('StrictValidationPipe on a query', () => {
  const QUERY: ArgumentMetadata = { type: 'query', metatype: ListMembershipsQuery };

  async function queryErrorsOf(query: Record<string, string>): Promise<FieldError[]> {
    try {
      await pipe.transform(query, QUERY);
    } catch (error) {
      if (error instanceof AppException) return error.options.errors ?? [];
      throw error;
    }
    throw new Error('expected the query to be refused');
  }

  it('asks whether an unknown parameter meant a known one', async () => {
    expect(await queryErrorsOf({ scop: '2' })).toEqual([
      { field: 'scop', message: 'is not an allowed property; did you mean scope?' },
    ]);
  });

  it('gives no "without quotes" hint: query values are strings by nature', async () => {
    expect(await queryErrorsOf({ group: '12345678901234567' })).toEqual([
      { field: 'group', message: 'must be a group id' },
    ]);
  });
});
