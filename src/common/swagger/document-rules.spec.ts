import type { OpenAPIObject } from '@nestjs/swagger';
import { applyDocumentRules } from './document-rules';
import { EXAMPLE_INSTANCE } from './problem-examples';

function documentWith(operation: object): OpenAPIObject {
  return {
    openapi: '3.0.0',
    info: { title: 't', version: '1' },
    paths: { '/things/{thingId}': { get: operation } },
  } as OpenAPIObject;
}

describe('applyDocumentRules', () => {
  it('marks an operation without security as public, and keeps a declared one', () => {
    const document = applyDocumentRules(documentWith({ responses: {} }));
    expect(document.paths['/things/{thingId}'].get?.security).toEqual([]);
    const secured = applyDocumentRules(documentWith({ responses: {}, security: [{ bearer: [] }] }));
    expect(secured.paths['/things/{thingId}'].get?.security).toEqual([{ bearer: [] }]);
  });

  it('moves the example of an optional parameter into its description', () => {
    const document = applyDocumentRules(
      documentWith({
        responses: {},
        parameters: [
          { name: 'q', in: 'query', required: false, schema: { type: 'string', example: 'mar' } },
          { name: 'n', in: 'query', example: 2, description: 'A number.' },
          { name: 'thingId', in: 'path', required: true, schema: { type: 'integer', example: 5 } },
        ],
      }),
    );
    expect(document.paths['/things/{thingId}'].get?.parameters).toEqual([
      {
        name: 'q',
        in: 'query',
        required: false,
        schema: { type: 'string' },
        description: 'Example: `mar`.',
      },
      { name: 'n', in: 'query', description: 'A number. Example: `2`.' },
      {
        name: 'thingId',
        in: 'path',
        required: true,
        schema: { type: 'integer', example: 5, minimum: 1 },
      },
    ]);
  });

  it("describes responses left empty, and sets problem examples' instance to the path", () => {
    const document = applyDocumentRules(
      documentWith({
        responses: {
          200: { description: '' },
          404: {
            description: 'Not found.',
            content: {
              'application/problem+json': {
                examples: { X: { value: { code: 'X', instance: EXAMPLE_INSTANCE } } },
              },
            },
          },
        },
      }),
    );
    const responses = document.paths['/things/{thingId}'].get?.responses ?? {};
    expect(responses[200]).toEqual({ description: 'OK' });
    expect(responses[404]).toMatchObject({
      content: {
        'application/problem+json': {
          examples: { X: { value: { code: 'X', instance: '/things/2' } } },
        },
      },
    });
  });

  it('documents integers named id or somethingId from 1, wherever they are', () => {
    const document = documentWith({
      responses: {},
      parameters: [
        { name: 'targetUserId', in: 'query', schema: { type: 'integer' } },
        { name: 'thingId', in: 'path', required: true, schema: { type: 'integer', minimum: -5 } },
        { name: 'requestId', in: 'header', schema: { type: 'string' } },
        { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 0 } },
      ],
    });
    document.components = {
      schemas: { View: { properties: { id: { type: 'integer' }, version: { type: 'integer' } } } },
    };
    applyDocumentRules(document);
    const schemas = (document.paths['/things/{thingId}'].get?.parameters ?? []).map(
      (parameter) => (parameter as { schema: object }).schema,
    );
    expect(schemas).toEqual([
      { type: 'integer', minimum: 1 },
      { type: 'integer', minimum: 1 },
      { type: 'string' },
      { type: 'integer', minimum: 0 },
    ]);
    expect(document.components.schemas?.View).toEqual({
      properties: { id: { type: 'integer', minimum: 1 }, version: { type: 'integer' } },
    });
  });
});
