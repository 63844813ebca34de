import { beforeAll, describe, expect, it } from 'vitest';
import {
  openApiValidators,
  readOpenApi,
  refsIn,
  resolvePointer,
  type OpenApiDocument,
} from './contract-documents.ts';

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
