import { OperationOutcomeError } from '@medplum/core';
import { outcomeWithStatus } from './outcomes.ts';

/** Keys that reach object prototypes in JavaScript consumers: refused wherever they appear. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** FHIR resources nest deeply (Bundle → resource → extension → …) but not past this. */
export const DEFAULT_MAX_DEPTH = 64;

function refuse(text: string, expression?: string): never {
  throw new OperationOutcomeError(outcomeWithStatus(400, 'invalid', text, expression));
}

/** Walks without recursion, so a hostile depth cannot overflow the stack before it is refused. */
function checkStructure(root: unknown, maxDepth: number): void {
  // The body's own object is level 1, so `maxDepth` levels of objects and arrays pass.
  const stack: { value: unknown; path: string; depth: number }[] = [{ value: root, path: '', depth: 1 }];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const { value, path, depth } = item;
    if (typeof value !== 'object' || value === null) {
      continue;
    }
    if (depth > maxDepth) {
      refuse(`JSON nests deeper than ${String(maxDepth)} levels`, path || undefined);
    }
    if (Array.isArray(value)) {
      value.forEach((element, index) =>
        stack.push({ value: element, path: `${path}[${String(index)}]`, depth: depth + 1 }),
      );
      continue;
    }
    for (const key of Object.keys(value)) {
      const at = path ? `${path}.${key}` : key;
      if (FORBIDDEN_KEYS.has(key)) {
        refuse(`forbidden key ${JSON.stringify(key)}`, at);
      }
      stack.push({ value: (value as Record<string, unknown>)[key], path: at, depth: depth + 1 });
    }
  }
}

/**
 * Parses an untrusted request body as a JSON object: malformed JSON, a non-object, excessive
 * nesting and prototype-polluting keys are each refused with a 400 OperationOutcome saying where.
 */
export function parseUntrustedJson(
  body: Buffer | string,
  { maxDepth = DEFAULT_MAX_DEPTH } = {},
): Record<string, unknown> {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  if (text.trim() === '') {
    refuse('request body is empty');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    refuse(
      `malformed JSON: ${error instanceof SyntaxError ? error.message.replace(/"[^"]*"/g, '…') : 'parse error'}`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    refuse('request body is not a JSON object');
  }
  checkStructure(parsed, maxDepth);
  return parsed as Record<string, unknown>;
}
