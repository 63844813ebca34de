/**
 * The contract documents of infra/asyncapi, loaded the way a consumer of the contract would: the
 * AsyncAPI document through the official parser (references resolved, bindings read), the
 * OpenAPI document as YAML, and their schemas compiled with ajv.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Parser, type AsyncAPIDocumentInterface, type Diagnostic } from '@asyncapi/parser';
import { Ajv, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { parse as parseYaml } from 'yaml';

export const ASYNCAPI_PATH = fileURLToPath(new URL('../../infra/asyncapi/asyncapi.yaml', import.meta.url));
export const OPENAPI_PATH = fileURLToPath(new URL('../../infra/asyncapi/openapi.yaml', import.meta.url));
export const SUBSCRIPTIONS_OPENAPI_PATH = fileURLToPath(
  new URL('../../infra/asyncapi/subscriptions.openapi.yaml', import.meta.url),
);

// ajv-formats is CommonJS: under NodeNext the default import is `module.exports`, whose `default` is the plugin.
const addFormats = addFormatsModule.default;

export interface ParsedAsyncApi {
  document: AsyncAPIDocumentInterface | undefined;
  diagnostics: Diagnostic[];
}

export async function parseAsyncApi(): Promise<ParsedAsyncApi> {
  const { document, diagnostics } = await new Parser().parse(await readFile(ASYNCAPI_PATH, 'utf8'));
  return { document, diagnostics };
}

/** The validators of one channel's message: Kafka key, headers and value. */
export interface MessageValidators {
  address: string;
  messageId: string;
  key: ValidateFunction;
  headers: ValidateFunction;
  payload: ValidateFunction;
  /** The resolved schemas, for assertions on the contract itself. */
  schemas: { key: unknown; headers: unknown; payload: unknown };
}

function describeErrors(validate: ValidateFunction): string {
  return (validate.errors ?? [])
    .map((error) => `${error.instancePath || '/'} ${error.message ?? 'is invalid'}`)
    .join('; ');
}

/** Throws naming every schema violation, so a failing test says what drifted. */
export function assertValid(validate: ValidateFunction, value: unknown, what: string): void {
  if (!validate(value)) {
    throw new Error(`${what} does not match the contract: ${describeErrors(validate)}`);
  }
}

/**
 * One validator set per channel address. The AsyncAPI schemas are JSON Schema draft-07 (the
 * AsyncAPI schema format); the parser's `x-parser-*` annotations are why strict mode is off.
 */
export function messageValidators(document: AsyncAPIDocumentInterface): Map<string, MessageValidators> {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  const byAddress = new Map<string, MessageValidators>();
  for (const channel of document.channels().all()) {
    const address = channel.address();
    const message = channel.messages().all().at(0);
    if (!address || !message) {
      throw new Error(`channel ${channel.id()} has no address or no message`);
    }
    const binding = message.bindings().get('kafka')?.value<{ key?: unknown }>();
    const schemas = {
      key: binding?.key ?? {},
      headers: message.headers()?.json() ?? {},
      payload: message.payload()?.json() ?? {},
    };
    byAddress.set(address, {
      address,
      messageId: message.id(),
      key: ajv.compile(schemas.key),
      headers: ajv.compile(schemas.headers as object),
      payload: ajv.compile(schemas.payload as object),
      schemas,
    });
  }
  return byAddress;
}

export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, { get?: OpenApiOperation }>;
  components: {
    schemas: Record<string, unknown>;
    responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
  };
}

export interface OpenApiOperation {
  operationId: string;
  parameters?: ({ name: string; in: string; required?: boolean } | { $ref: string })[];
  responses: Record<string, { content?: Record<string, { schema?: unknown }> } | { $ref: string }>;
}

export async function readOpenApi(path: string = OPENAPI_PATH): Promise<OpenApiDocument> {
  return parseYaml(await readFile(path, 'utf8')) as OpenApiDocument;
}

/**
 * Validators for OpenAPI 3.1 response schemas (JSON Schema 2020-12). The document is registered
 * whole, so `#/components/...` references resolve as they do for any OpenAPI tool.
 */
export function openApiValidators(doc: OpenApiDocument): (schema: unknown) => ValidateFunction {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajv);
  ajv.addSchema({ $id: 'openapi.yaml', components: doc.components });
  return (schema) => ajv.compile(rebase(schema));
}

/** Points local references of an inline schema at the registered document. */
function rebase(schema: unknown): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify(schema).replaceAll('"$ref":"#/components/', '"$ref":"openapi.yaml#/components/'),
  ) as Record<string, unknown>;
}

/** Every `$ref` value in a JSON value. */
export function refsIn(value: unknown): string[] {
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

/** The node a local reference (`#/components/…`) points at, or undefined. */
export function resolvePointer(doc: unknown, ref: string): unknown {
  return ref
    .replace(/^#\//, '')
    .split('/')
    .reduce<unknown>(
      (node, part) =>
        typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[part] : undefined,
      doc,
    );
}
