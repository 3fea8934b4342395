import { STATUS_CODES } from 'node:http';
import type {
  OpenAPIObject,
  OperationObject,
  ParameterObject,
  ReferenceObject,
  ResponseObject,
  SchemaObject,
} from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE } from '../errors/problem-details.filter';
import { EXAMPLE_INSTANCE } from './problem-examples';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

function isReference(value: unknown): value is ReferenceObject {
  return typeof value === 'object' && value !== null && '$ref' in value;
}

/**
 * Rules every route follows, whichever module declares it, applied to the generated document so
 * that a new module cannot forget them:
 * - a route without `@Authenticated()` is public, and says so (`security: []`), instead of
 *   leaving readers and linters to guess;
 * - an optional parameter carries no example: the Swagger UI pre-fills examples into "Try it
 *   out" and sends them, so a filter nobody asked for would empty the list. Its example moves to
 *   the description, where a person still sees the format;
 * - a problem example's `instance` is the route's own path;
 * - no response is left without a description (Nest's default is an empty string);
 * - an integer named `id` or `somethingId` is documented from 1: no id is ever lower.
 */
export function applyDocumentRules(document: OpenAPIObject): OpenAPIObject {
  for (const schema of Object.values(document.components?.schemas ?? {})) {
    for (const [name, property] of Object.entries(
      isReference(schema) ? {} : (schema.properties ?? {}),
    )) {
      if (!isReference(property)) positiveId(name, property);
    }
  }
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (operation === undefined) continue;
      operation.security ??= [];
      for (const parameter of operation.parameters ?? []) {
        if (isReference(parameter)) continue;
        if (parameter.required !== true) moveExample(parameter);
        if (parameter.schema && !isReference(parameter.schema)) {
          positiveId(parameter.name, parameter.schema);
        }
      }
      fillResponses(operation, path.replace(/\{[^}]+\}/g, '2'));
    }
  }
  return document;
}

function positiveId(name: string, schema: SchemaObject): void {
  if (!/^id$|Id$/.test(name) || schema.type !== 'integer') return;
  if (schema.minimum === undefined || schema.minimum < 1) schema.minimum = 1;
}

function moveExample(parameter: ParameterObject): void {
  const schema = isReference(parameter.schema) ? undefined : parameter.schema;
  const example: unknown = parameter.example ?? schema?.example;
  delete parameter.example;
  delete parameter.examples;
  if (schema) delete schema.example;
  if (example === undefined) return;
  const format = `Example: \`${typeof example === 'string' ? example : JSON.stringify(example)}\`.`;
  parameter.description = parameter.description ? `${parameter.description} ${format}` : format;
}

function fillResponses(operation: OperationObject, instance: string): void {
  for (const [status, response] of Object.entries(operation.responses)) {
    if (isReference(response)) continue;
    const described = response as ResponseObject;
    if (!described.description) described.description = STATUS_CODES[status] ?? 'Response.';
    const examples = described.content?.[PROBLEM_CONTENT_TYPE]?.examples ?? {};
    for (const example of Object.values(examples)) {
      if (isReference(example)) continue;
      const value = example.value as { instance?: string } | undefined;
      if (value?.instance === EXAMPLE_INSTANCE) example.value = { ...value, instance };
    }
  }
}
