import { OperationOutcomeError } from '@medplum/core';
import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_DEPTH, parseUntrustedJson } from './json-guard.ts';

function refusal(body: string, options?: { maxDepth?: number }): OperationOutcomeIssue | undefined {
  try {
    parseUntrustedJson(body, options);
  } catch (error) {
    if (error instanceof OperationOutcomeError) {
      return error.outcome.issue.at(0);
    }
    throw error;
  }
  return undefined;
}

function nested(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

describe('parseUntrustedJson', () => {
  it('returns the object of a well-formed body', () => {
    expect(parseUntrustedJson(Buffer.from('{"resourceType":"ServiceRequest","status":"active"}'))).toEqual({
      resourceType: 'ServiceRequest',
      status: 'active',
    });
  });

  it.each([
    ['an empty body', '  ', 'request body is empty'],
    ['malformed JSON', '{"resourceType":', 'malformed JSON'],
    ['an array', '[{"resourceType":"ServiceRequest"}]', 'not a JSON object'],
    ['a bare string', '"ServiceRequest"', 'not a JSON object'],
  ])('refuses %s with a 400 that says why', (_label, body, text) => {
    const issue = refusal(body);
    expect(issue?.code).toBe('invalid');
    expect(issue?.details?.text).toContain(text);
  });

  it('does not echo the sender’s strings back in a parse error', () => {
    const issue = refusal('{"name":"Jane Doe" "x"}');
    expect(issue?.details?.text).not.toContain('Jane');
  });

  it.each([
    ['__proto__', '{"resourceType":"ServiceRequest","__proto__":{"admin":true}}', '__proto__'],
    ['constructor', '{"code":{"constructor":{"prototype":{}}}}', 'code.constructor'],
    ['prototype', '{"contained":[{"prototype":1}]}', 'contained[0].prototype'],
  ])('refuses a %s key and names where it is', (_key, body, expression) => {
    const issue = refusal(body);
    expect(issue?.details?.text).toContain('forbidden key');
    expect(issue?.expression).toEqual([expression]);
  });

  it('accepts nesting up to the limit and refuses one level more', () => {
    expect(refusal(nested(DEFAULT_MAX_DEPTH))).toBeUndefined();
    expect(refusal(nested(DEFAULT_MAX_DEPTH + 1))?.details?.text).toContain(
      `deeper than ${String(DEFAULT_MAX_DEPTH)} levels`,
    );
  });

  it('survives a hostile depth that would overflow a recursive walk', () => {
    expect(refusal(nested(200_000))?.details?.text).toContain('deeper than');
  });

  it('takes a lower limit from its options', () => {
    expect(refusal(nested(4), { maxDepth: 3 })?.details?.text).toContain('deeper than 3 levels');
  });
});
