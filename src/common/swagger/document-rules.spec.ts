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
      { name: 'thingId', in: 'path', required: true, schema: { type: 'integer', example: 5 } },
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
});
