import type {
  HeaderObject,
  OpenAPIObject,
  OperationObject,
  ParameterObject,
  ReferenceObject,
  ResponseObject,
  SchemaObject,
} from '@nestjs/swagger';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MEMBERSHIP_VIEW_FIELDS } from './support/contract';
import { cleanEnv, REPO_ROOT, runNode } from './support/processes';
import { startTestApp, TestApp } from './support/test-app';

// The document is the same on both engines: one is enough.
const USER_PATH = '/users-organizations/v1/rs/users/{userId}';
const SESSIONS_PATH = '/users-organizations/v1/rs/sessions';
const CURRENT_SESSION_PATH = '/users-organizations/v1/rs/sessions/current';
const ERROR_STATUSES = [400, 401, 403, 404, 409, 412, 413, 415, 422, 429, 503];
const MAX_SAFE = 9007199254740991;
const REDOCLY_CLI = join(REPO_ROOT, 'node_modules', '@redocly', 'cli', 'bin', 'cli.js');

type Schema = SchemaObject | ReferenceObject;

function isReference(value: unknown): value is ReferenceObject {
  return typeof value === 'object' && value !== null && '$ref' in value;
}

describe('OpenAPI document and Swagger UI (sqlite)', () => {
  let t: TestApp;
  let doc: OpenAPIObject;

  beforeAll(async () => {
    t = await startTestApp('sqlite');
    const response = await t.http().get('/users-organizations/docs-json').expect(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    doc = response.body as OpenAPIObject;
  });
  afterAll(() => t.close());

  /** The name of the component a schema points at: `$ref`, or an `allOf` of one `$ref`. */
  function referencedName(schema: Schema | undefined): string {
    const reference = isReference(schema)
      ? schema.$ref
      : schema?.allOf?.length === 1 && isReference(schema.allOf[0])
        ? schema.allOf[0].$ref
        : undefined;
    expect(reference).toMatch(/^#\/components\/schemas\//);
    return (reference as string).replace('#/components/schemas/', '');
  }

  function component(name: string): SchemaObject {
    const schema = doc.components?.schemas?.[name];
    expect(schema).toBeDefined();
    expect(isReference(schema)).toBe(false);
    return schema as SchemaObject;
  }

  function property(schema: SchemaObject, name: string): SchemaObject {
    const value = schema.properties?.[name];
    expect(value).toBeDefined();
    return value as SchemaObject;
  }

  function operation(path: string, method: 'get' | 'patch' | 'post' | 'delete'): OperationObject {
    const found = doc.paths[path]?.[method];
    expect(found).toBeDefined();
    return found as OperationObject;
  }

  function response(op: OperationObject, status: number): ResponseObject {
    const found = op.responses[String(status)];
    expect(found).toBeDefined();
    expect(isReference(found)).toBe(false);
    return found as ResponseObject;
  }

  function parameter(op: OperationObject, location: string, name: string): ParameterObject {
    const found = (op.parameters ?? []).find(
      (candidate): candidate is ParameterObject =>
        !isReference(candidate) &&
        candidate.in === location &&
        candidate.name.toLowerCase() === name.toLowerCase(),
    );
    expect(found).toBeDefined();
    return found as ParameterObject;
  }

  /** The example bodies documented under an error response. */
  function problemExamplesOf(
    error: ResponseObject,
  ): { code: string; status: number; instance: string }[] {
    const examples = error.content?.['application/problem+json']?.examples ?? {};
    expect(Object.keys(examples).length).toBeGreaterThan(0);
    return Object.values(examples).map(
      (example) => (example as { value: { code: string; status: number; instance: string } }).value,
    );
  }

  /** Names of the security schemes: the http bearer one and the x-session-token apiKey one. */
  function schemeNames(): { bearer: string; session: string } {
    const schemes = Object.entries(doc.components?.securitySchemes ?? {});
    const bearer = schemes.find(
      ([, scheme]) =>
        !isReference(scheme) && scheme.type === 'http' && scheme.scheme?.toLowerCase() === 'bearer',
    );
    const session = schemes.find(
      ([, scheme]) =>
        !isReference(scheme) &&
        scheme.type === 'apiKey' &&
        scheme.in === 'header' &&
        scheme.name?.toLowerCase() === 'x-session-token',
    );
    expect(bearer).toBeDefined();
    expect(session).toBeDefined();
    return { bearer: (bearer as [string, unknown])[0], session: (session as [string, unknown])[0] };
  }

  /** Every alternative of the security list must hold exactly these schemes ("and", not "or"). */
  function expectSecurity(op: OperationObject, names: string[]): void {
    expect(op.security?.length).toBeGreaterThan(0);
    for (const requirement of op.security ?? []) {
      expect(Object.keys(requirement).sort()).toEqual([...names].sort());
    }
  }

  it('serves the Swagger UI as HTML', async () => {
    const res = await t.http().get('/users-organizations/docs').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toMatch(/swagger-ui/i);
  });

  it('serves an OpenAPI 3 document', () => {
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.paths).toBeDefined();
  });

  describe(`PATCH ${USER_PATH}`, () => {
    it('is "Update user organization"', () => {
      expect(operation(USER_PATH, 'patch').summary).toBe('Update user organization');
    });

    it('declares an http bearer scheme and an x-session-token header apiKey scheme', () => {
      const { bearer, session } = schemeNames();
      expect(doc.components?.securitySchemes?.[bearer]).toMatchObject({
        type: 'http',
        scheme: 'bearer',
      });
      expect(doc.components?.securitySchemes?.[session]).toMatchObject({
        type: 'apiKey',
        in: 'header',
        name: 'x-session-token',
      });
    });

    it('requires both schemes together, in one security requirement object', () => {
      const { bearer, session } = schemeNames();
      const op = operation(USER_PATH, 'patch');
      expect(op.security).toContainEqual({ [bearer]: [], [session]: [] });
      expectSecurity(op, [bearer, session]);
    });

    // OpenAPI ignores a header parameter named Content-Type: the body's media type says it.
    it('takes an application/json body and declares no content-type header parameter', () => {
      const op = operation(USER_PATH, 'patch');
      const headers = (op.parameters ?? []).filter(
        (candidate) => !isReference(candidate) && candidate.in === 'header',
      ) as ParameterObject[];
      expect(headers.map((header) => header.name.toLowerCase())).not.toContain('content-type');
      const body = op.requestBody as { content: Record<string, unknown> };
      expect(Object.keys(body.content)).toEqual(['application/json']);
    });

    it('documents If-Match as optional, with its format in words and no example to send', () => {
      const ifMatch = parameter(operation(USER_PATH, 'patch'), 'header', 'if-match');
      expect(ifMatch.required).not.toBe(true);
      expect(ifMatch.description).toMatch(/ETag/);
      expect(ifMatch).not.toHaveProperty('example');
      expect(ifMatch).not.toHaveProperty('examples');
      expect(ifMatch.schema).not.toHaveProperty('example');
    });

    it('offers named request bodies, the member one first (what the UI pre-fills)', () => {
      const body = operation(USER_PATH, 'patch').requestBody as {
        content: Record<
          string,
          { examples?: Record<string, { summary?: string; value?: unknown }> }
        >;
      };
      const examples = Object.values(body.content['application/json']?.examples ?? {});
      expect(examples.map((example) => example.summary)).toEqual([
        'member edits own name',
        'administrator changes scope and permissions',
      ]);
      // What a member may send: names only, never scope or permissions.
      expect(Object.keys(examples[0].value as object).sort()).toEqual(['firstName', 'lastName']);
      expect(examples[1].value).toMatchObject({ scope: 2, permissions: expect.any(Object) });
    });

    it('documents the userId path parameter: "me" or a positive integer in the safe range', () => {
      const userId = parameter(operation(USER_PATH, 'patch'), 'path', 'userId');
      expect(userId.required).toBe(true);
      const examples = [
        userId.example as unknown,
        (userId.schema as SchemaObject | undefined)?.example as unknown,
        ...Object.values(userId.examples ?? {}).map((example) =>
          isReference(example) ? undefined : (example.value as unknown),
        ),
      ];
      expect(examples).toContain('me');
      const schema = userId.schema as SchemaObject;
      const alternatives = [...(schema.oneOf ?? []), ...(schema.anyOf ?? [])] as SchemaObject[];
      expect(alternatives).toContainEqual(
        // From 1: no user id is ever lower (the API still answers 404 for one, not 400).
        expect.objectContaining({ type: 'integer', minimum: 1, maximum: MAX_SAFE }),
      );
      expect(alternatives).toContainEqual(
        expect.objectContaining({ type: 'string', enum: expect.arrayContaining(['me']) }),
      );
      // The integer first, and no list of examples: the UI then renders a text box where an id
      // can be typed, not a drop-down holding only "me".
      expect(alternatives[0].type).toBe('integer');
      expect(userId.examples).toBeUndefined();
    });

    it('takes an UpdateMembershipDto body with bounded, exemplified fields', () => {
      const op = operation(USER_PATH, 'patch');
      expect(isReference(op.requestBody)).toBe(false);
      const body = op.requestBody as { content: Record<string, { schema?: Schema }> };
      const name = referencedName(body.content['application/json']?.schema);
      expect(name).toBe('UpdateMembershipDto');
      const dto = component(name);

      for (const field of ['firstName', 'lastName']) {
        const schema = property(dto, field);
        expect(schema).toMatchObject({ type: 'string', minLength: 1, maxLength: 250 });
        expect(typeof schema.example).toBe('string');
      }

      const professionId = property(dto, 'professionId');
      expect(professionId).toMatchObject({ type: 'integer', nullable: true });

      const scope = property(dto, 'scope');
      expect([...(scope.enum ?? [])].sort()).toEqual([1, 2]);

      expect(referencedName(property(dto, 'permissions'))).toBe('PermissionsDto');
      const permissions = component('PermissionsDto');
      for (const field of ['read', 'manage']) {
        expect(property(permissions, field)).toMatchObject({
          type: 'array',
          maxItems: 100,
          uniqueItems: true,
        });
      }
      expect(property(permissions, 'group')).toMatchObject({ type: 'integer', nullable: true });
    });

    it('answers 200 with a MembershipEnvelope whose data is an exemplified MembershipView', () => {
      const ok = response(operation(USER_PATH, 'patch'), 200);
      expect(referencedName(ok.content?.['application/json']?.schema)).toBe('MembershipEnvelope');
      const envelope = component('MembershipEnvelope');
      expect(referencedName(property(envelope, 'data'))).toBe('MembershipView');

      const view = component('MembershipView');
      expect(Object.keys(view.properties ?? {}).sort()).toEqual([...MEMBERSHIP_VIEW_FIELDS].sort());
      for (const field of MEMBERSHIP_VIEW_FIELDS) {
        const schema = view.properties?.[field];
        if (field === 'permissions') {
          const permissions = component(referencedName(schema));
          for (const inner of ['group', 'read', 'manage']) {
            expect(property(permissions, inner)).toHaveProperty('example');
          }
        } else {
          // `example: null` counts (deletedAt): only a missing example fails.
          const hasExample = typeof schema === 'object' && 'example' in schema;
          expect({ field, hasExample }).toEqual({ field, hasExample: true });
        }
      }
    });

    it('documents the ETag response header', () => {
      const ok = response(operation(USER_PATH, 'patch'), 200);
      const etag = Object.entries(ok.headers ?? {}).find(([name]) => name.toLowerCase() === 'etag');
      expect(etag).toBeDefined();
      expect((etag as [string, HeaderObject])[1].schema).toMatchObject({ type: 'string' });
    });

    it.each(ERROR_STATUSES)('documents %i as application/problem+json ProblemDto', (status) => {
      const error = response(operation(USER_PATH, 'patch'), status);
      expect(Object.keys(error.content ?? {})).toContain('application/problem+json');
      expect(referencedName(error.content?.['application/problem+json']?.schema)).toBe(
        'ProblemDto',
      );
    });

    it("shows under each error status its own problems, not another status's", () => {
      const codes = Object.fromEntries(
        ERROR_STATUSES.map((status) => {
          const examples = problemExamplesOf(response(operation(USER_PATH, 'patch'), status));
          for (const example of examples) {
            expect({ code: example.code, status: example.status }).toEqual({
              code: example.code,
              status,
            });
            expect(example.instance).toBe('/users-organizations/v1/rs/users/2');
          }
          return [status, examples.map((example) => example.code)];
        }),
      );
      expect(codes).toMatchObject({
        400: expect.arrayContaining(['VALIDATION_FAILED', 'EMPTY_UPDATE']),
        401: expect.arrayContaining(['TOKEN_INVALID', 'SESSION_REVOKED']),
        403: expect.arrayContaining(['SCOPE_CHANGE_FORBIDDEN', 'PROFILE_CHANGE_FORBIDDEN']),
        404: ['MEMBERSHIP_NOT_FOUND'],
        409: expect.arrayContaining(['LAST_ADMIN']),
        412: ['PRECONDITION_FAILED'],
        415: ['UNSUPPORTED_MEDIA_TYPE'],
        422: expect.arrayContaining(['PROFESSION_NOT_FOUND']),
      });
    });

    it('defines ProblemDto with the RFC 9457 members and a code', () => {
      const problem = component('ProblemDto');
      for (const field of ['type', 'title', 'status', 'detail', 'code']) {
        expect(problem.properties).toHaveProperty(field);
      }
    });
  });

  describe('companion operations', () => {
    it(`documents GET ${USER_PATH} with both schemes and a MembershipEnvelope`, () => {
      const { bearer, session } = schemeNames();
      const op = operation(USER_PATH, 'get');
      expectSecurity(op, [bearer, session]);
      parameter(op, 'path', 'userId');
      const ok = response(op, 200);
      expect(referencedName(ok.content?.['application/json']?.schema)).toBe('MembershipEnvelope');
    });

    it(`documents POST ${SESSIONS_PATH} with the bearer scheme only`, () => {
      const { bearer } = schemeNames();
      const op = operation(SESSIONS_PATH, 'post');
      expectSecurity(op, [bearer]);
      response(op, 201);
      response(op, 403);
    });

    it(`documents DELETE ${CURRENT_SESSION_PATH} with both schemes`, () => {
      const { bearer, session } = schemeNames();
      const op = operation(CURRENT_SESSION_PATH, 'delete');
      expectSecurity(op, [bearer, session]);
      response(op, 204);
    });
  });

  describe('catalogues and organization switching', () => {
    const PROFESSIONS_PATH = '/users-organizations/v1/rs/professions';
    const GROUPS_PATH = '/users-organizations/v1/rs/groups';
    const GROUP_PATH = '/users-organizations/v1/rs/groups/{groupId}';
    const MY_ORGANIZATIONS_PATH = '/users-organizations/v1/rs/me/organizations';

    type Method = 'get' | 'post' | 'patch' | 'delete';
    const ROUTES: {
      path: string;
      method: Method;
      session: boolean;
      success: number;
      envelope?: string;
      problems: number[];
    }[] = [
      {
        path: PROFESSIONS_PATH,
        method: 'get',
        session: true,
        success: 200,
        envelope: 'ProfessionListEnvelope',
        problems: [401, 503],
      },
      {
        path: GROUPS_PATH,
        method: 'get',
        session: true,
        success: 200,
        envelope: 'GroupListEnvelope',
        problems: [401, 503],
      },
      {
        path: GROUPS_PATH,
        method: 'post',
        session: true,
        success: 201,
        envelope: 'GroupEnvelope',
        problems: [400, 401, 403, 409, 413, 415, 503],
      },
      {
        path: GROUP_PATH,
        method: 'patch',
        session: true,
        success: 200,
        envelope: 'GroupEnvelope',
        problems: [400, 401, 403, 404, 409, 413, 415, 503],
      },
      {
        path: GROUP_PATH,
        method: 'delete',
        session: true,
        success: 204,
        problems: [400, 401, 403, 404, 409, 503],
      },
      {
        path: MY_ORGANIZATIONS_PATH,
        method: 'get',
        session: false,
        success: 200,
        envelope: 'MyOrganizationListEnvelope',
        problems: [401, 503],
      },
    ];
    const label = ({ method, path }: { method: Method; path: string }) =>
      `${method.toUpperCase()} ${path}`;

    describe.each(ROUTES.map((route) => [label(route), route] as const))('%s', (_label, route) => {
      it('has a summary and the security it enforces', () => {
        const { bearer, session } = schemeNames();
        const op = operation(route.path, route.method);
        expect(op.summary).toEqual(expect.any(String));
        expectSecurity(op, route.session ? [bearer, session] : [bearer]);
      });

      it(`answers ${route.success}${route.envelope ? ` with a ${route.envelope}` : ''}`, () => {
        const ok = response(operation(route.path, route.method), route.success);
        if (route.envelope === undefined) {
          expect(ok.content).toBeUndefined();
          return;
        }
        expect(referencedName(ok.content?.['application/json']?.schema)).toBe(route.envelope);
        const data = property(component(route.envelope), 'data');
        expect(data.type).toBe(route.envelope.includes('List') ? 'array' : undefined);
        expect(data.example ?? referencedName(data)).toBeDefined();
      });

      it('documents its errors as application/problem+json ProblemDto', () => {
        const op = operation(route.path, route.method);
        for (const status of route.problems) {
          const error = response(op, status);
          expect({
            status,
            schema: referencedName(error.content?.['application/problem+json']?.schema),
          }).toEqual({
            status,
            schema: 'ProblemDto',
          });
          expect(error.description).toEqual(expect.any(String));
        }
      });
    });

    it('documents the groupId path parameter as a positive safe integer', () => {
      for (const method of ['patch', 'delete'] as const) {
        const groupId = parameter(operation(GROUP_PATH, method), 'path', 'groupId');
        expect(groupId.required).toBe(true);
        expect(groupId.schema).toMatchObject({ type: 'integer', minimum: 1, maximum: MAX_SAFE });
        expect(groupId.example ?? (groupId.schema as SchemaObject).example).toEqual(
          expect.any(Number),
        );
      }
    });

    it('describes 404 and 409 in terms of groups, not members', () => {
      const op = operation(GROUP_PATH, 'delete');
      expect(response(op, 404).description).toMatch(/group/i);
      expect(response(op, 409).description).toMatch(/GROUP_IN_USE/);
      expect(response(operation(GROUPS_PATH, 'post'), 409).description).toMatch(/GROUP_NAME_TAKEN/);
    });

    it.each([
      [GROUPS_PATH, 'post', 'CreateGroupDto'],
      [GROUP_PATH, 'patch', 'UpdateGroupDto'],
    ] as const)('%s %s takes a %s with a bounded, exemplified name', (path, method, dto) => {
      const op = operation(path, method);
      const body = op.requestBody as {
        required?: boolean;
        content: Record<string, { schema?: Schema }>;
      };
      expect(body.required).toBe(true);
      expect(referencedName(body.content['application/json']?.schema)).toBe(dto);
      const schema = component(dto);
      expect(schema.required).toEqual(['name']);
      expect(Object.keys(schema.properties ?? {})).toEqual(['name']);
      expect(property(schema, 'name')).toMatchObject({
        type: 'string',
        minLength: 1,
        maxLength: 250,
        example: expect.any(String),
      });
    });

    it.each([
      ['GroupView', ['id', 'name']],
      ['ProfessionView', ['id', 'label']],
      ['MyOrganizationView', ['organizationId', 'name', 'scope']],
    ])('defines %s with an example for each field', (name, fields) => {
      const view = component(name);
      expect(Object.keys(view.properties ?? {}).sort()).toEqual([...fields].sort());
      for (const field of fields) expect(property(view, field)).toHaveProperty('example');
    });

    it('documents the scope of my organizations as 1 or 2', () => {
      expect([...(property(component('MyOrganizationView'), 'scope').enum ?? [])].sort()).toEqual([
        1, 2,
      ]);
    });
  });
  describe('the document as a whole', () => {
    type Operations = [string, string, OperationObject][];
    function operations(): Operations {
      return Object.entries(doc.paths).flatMap(([path, item]) =>
        (['get', 'post', 'put', 'patch', 'delete'] as const)
          .filter((method) => item[method] !== undefined)
          .map((method): [string, string, OperationObject] => [path, method, item[method]!]),
      );
    }

    it('passes the OpenAPI lint (@redocly/cli with redocly.yaml) without a problem', async () => {
      const directory = mkdtempSync(join(tmpdir(), 'uo-openapi-'));
      try {
        const file = join(directory, 'openapi.json');
        writeFileSync(file, JSON.stringify(doc));
        const config = `--config=${join(REPO_ROOT, 'redocly.yaml')}`;
        const result = await runNode([REDOCLY_CLI, 'lint', file, config, '--format=stylish'], {
          env: cleanEnv(),
          cwd: REPO_ROOT,
          timeoutMs: 60_000,
        });
        expect({
          code: result.code,
          output: result.code === 0 ? '' : result.stdout + result.stderr,
        }).toEqual({ code: 0, output: '' });
        expect(result.stdout + result.stderr).toMatch(/valid/i);
      } finally {
        rmSync(directory, { recursive: true, force: true });
      }
    });

    it('names a server (relative, so it fits any host) and a license', () => {
      expect(doc.servers).toEqual([expect.objectContaining({ url: '/' })]);
      expect(doc.info.license?.name).toEqual(expect.any(String));
    });

    it('links the JSON document from its description, which the UI shows on top', () => {
      expect(doc.info.description).toContain('(/users-organizations/docs-json)');
    });

    it('says that the health probes are public (security: [])', () => {
      for (const path of ['/health/live', '/health/ready']) {
        expect(operation(path, 'get').security).toEqual([]);
      }
    });

    it('documents 401 with its codes on every rs route', () => {
      const rs = operations().filter(([path]) => path.includes('/rs/'));
      expect(rs.length).toBeGreaterThan(10);
      for (const [path, method, op] of rs) {
        const codes = problemExamplesOf(response(op, 401)).map((example) => example.code);
        expect({ path, method, codes }).toEqual({
          path,
          method,
          codes: expect.arrayContaining(['TOKEN_INVALID', 'TOKEN_MISSING']),
        });
      }
    });

    it('shows under every error status of every route examples of that status only', () => {
      let examples = 0;
      for (const [path, method, op] of operations()) {
        for (const [status, answer] of Object.entries(op.responses)) {
          // The readiness probe's 503 is Terminus's own JSON, not a problem.
          if ((answer as ResponseObject).content?.['application/problem+json'] === undefined) {
            continue;
          }
          for (const example of problemExamplesOf(answer as ResponseObject)) {
            examples++;
            expect({ path, method, status: example.status, code: example.code }).toEqual({
              path,
              method,
              status: Number(status),
              code: example.code,
            });
          }
        }
      }
      expect(examples).toBeGreaterThan(100);
      const invitation = '/users-organizations/v1/rs/invitations/{invitationId}';
      expect(problemExamplesOf(response(operation(invitation, 'delete'), 404))).toEqual([
        expect.objectContaining({ code: 'INVITATION_NOT_FOUND' }),
      ]);
      expect(problemExamplesOf(response(operation(invitation, 'delete'), 410))).toEqual([
        expect.objectContaining({ code: 'INVITATION_GONE' }),
      ]);
    });

    it('documents every id from 1: none is ever lower', () => {
      const ids: { where: string; minimum: unknown }[] = [];
      for (const [name, schema] of Object.entries(doc.components?.schemas ?? {})) {
        for (const [field, value] of Object.entries((schema as SchemaObject).properties ?? {})) {
          const property = value as SchemaObject;
          const items = property.items as SchemaObject | undefined;
          if (/^id$|Id$/.test(field) && property.type === 'integer') {
            ids.push({ where: `${name}.${field}`, minimum: property.minimum });
          } else if (['read', 'manage'].includes(field) && items?.type === 'integer') {
            ids.push({ where: `${name}.${field}[]`, minimum: items.minimum });
          }
        }
      }
      for (const [path, method, op] of operations()) {
        for (const candidate of op.parameters ?? []) {
          const { name, schema } = candidate as ParameterObject;
          const integer = [schema as SchemaObject, ...((schema as SchemaObject).oneOf ?? [])].find(
            (alternative) => (alternative as SchemaObject).type === 'integer',
          ) as SchemaObject | undefined;
          if ((/^id$|Id$/.test(name) || name === 'group') && integer) {
            ids.push({ where: `${method} ${path} ${name}`, minimum: integer.minimum });
          }
        }
      }
      expect(ids.length).toBeGreaterThan(30);
      expect(ids.filter((id) => id.minimum !== 1)).toEqual([]);
      expect(property(component('PermissionsDto'), 'group').minimum).toBe(1);
    });

    it('gives every response a description', () => {
      for (const [path, method, op] of operations()) {
        for (const [status, answer] of Object.entries(op.responses)) {
          const description = (answer as ResponseObject).description;
          expect({ path, method, status, description }).toEqual({
            path,
            method,
            status,
            description: expect.stringMatching(/\S/),
          });
        }
      }
    });

    it('pre-fills no optional parameter: the format is in the description instead', () => {
      const scope = parameter(
        operation('/users-organizations/v1/rs/users', 'get'),
        'query',
        'scope',
      );
      expect(scope.description).toMatch(/Example: `2`/);
      for (const [path, method, op] of operations()) {
        for (const candidate of op.parameters ?? []) {
          const optional = candidate as ParameterObject;
          if (optional.required) continue;
          const example =
            optional.example ?? optional.examples ?? (optional.schema as SchemaObject)?.example;
          expect({ path, method, name: optional.name, example }).toEqual({
            path,
            method,
            name: optional.name,
            example: undefined,
          });
        }
      }
    });
  });
});
