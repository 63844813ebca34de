import { beforeAll, describe, expect, it } from 'vitest';
import { openApiValidators, readOpenApi, type OpenApiDocument } from './contract-documents.ts';

/** Every `$ref` value in a JSON value. */
function refsIn(value: unknown): string[] {
  if (Array.isArray(value)) {
    return value.flatMap(refsIn);
  }
  if (typeof value !== 'object' || value === null) {
    return [];
  }
  return Object.entries(value).flatMap(([key, inner]) =>
    key === '$ref' && typeof inner === 'string' ? [inner] : refsIn(inner),
  );
}

function resolvePointer(doc: unknown, ref: string): unknown {
  return ref
    .replace(/^#\//, '')
    .split('/')
    .reduce<unknown>(
      (node, part) =>
        typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[part] : undefined,
      doc,
    );
}

describe('the timeline REST contract (infra/asyncapi/openapi.yaml)', () => {
  let doc: OpenApiDocument;

  beforeAll(async () => {
    doc = await readOpenApi();
  });

  it('has no dangling reference', () => {
    const dangling = refsIn(doc).filter(
      (ref) => !ref.startsWith('#/') || resolvePointer(doc, ref) === undefined,
    );
    expect(dangling).toEqual([]);
  });

  it('has component schemas that compile as JSON Schema 2020-12', () => {
    const compile = openApiValidators(doc);
    for (const name of Object.keys(doc.components.schemas)) {
      expect(() => compile({ $ref: `#/components/schemas/${name}` }), name).not.toThrow();
    }
  });

  it('gives every route an operation id and a 200 answer', () => {
    for (const [path, operations] of Object.entries(doc.paths)) {
      const get = operations.get;
      expect(get?.operationId, path).toMatch(/^[a-zA-Z]+$/);
      expect(get?.responses['200'], path).toBeDefined();
    }
  });
});
