import { badRequest, getStatus, OperationOutcomeError } from '@medplum/core';
import type { OperationOutcome, OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';
import { isStoreError } from '@oncoimg/store';
import type { Response } from 'express';

export const FHIR_JSON = 'application/fhir+json';

/** What a FHIR handler returns: the outcome decides the status; the resource, when present, is the body. */
export type FhirResult = [OperationOutcome, Resource?];

/** An outcome with one error issue at `expression` (a FHIRPath), with an HTTP status of our choice. */
export function outcomeWithStatus(
  status: number,
  code: OperationOutcomeIssue['code'],
  text: string,
  expression?: string,
): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    id: `http-${String(status)}`,
    issue: [
      { severity: 'error', code, details: { text }, ...(expression ? { expression: [expression] } : {}) },
    ],
  };
}

/** The HTTP status of an outcome: ours (`http-413`) or medplum's mapping. */
export function statusOf(outcome: OperationOutcome): number {
  const ours = /^http-(\d{3})$/.exec(outcome.id ?? '');
  return ours ? Number(ours[1]) : getStatus(outcome);
}

/** Internal errors are answered without their message: it may quote patient data. */
const INTERNAL_ERROR = outcomeWithStatus(500, 'exception', 'Internal server error');

const STORE_STATUS: Partial<Record<string, [number, OperationOutcomeIssue['code'], string]>> = {
  NOT_FOUND: [404, 'not-found', 'Resource not found'],
  DELETED: [410, 'deleted', 'Resource deleted'],
  VERSION_CONFLICT: [412, 'conflict', 'If-Match does not name the current version'],
  UNIQUE_VIOLATION: [409, 'conflict', 'Conflicting concurrent write; retry'],
  INVALID_ARGUMENT: [400, 'invalid', 'Invalid request'],
};

/** The outcome for any error a handler threw. */
export function outcomeOfError(error: unknown): OperationOutcome {
  if (error instanceof OperationOutcomeError) {
    return error.outcome;
  }
  if (isStoreError(error)) {
    const mapped = STORE_STATUS[error.code];
    if (mapped) {
      return outcomeWithStatus(
        mapped[0],
        mapped[1],
        error.code === 'INVALID_ARGUMENT' ? error.message : mapped[2],
      );
    }
    // A closed database is as unavailable to this request as one that went away.
    if (error.retriable || error.code === 'CLOSED') {
      return outcomeWithStatus(503, 'transient', 'Database temporarily unavailable; retry');
    }
  }
  // Kafka's errors (and any other layer's) say with `retriable` whether trying again can help.
  if ((error as { retriable?: unknown } | null)?.retriable === true) {
    return outcomeWithStatus(503, 'transient', 'Service temporarily unavailable; retry');
  }
  return INTERNAL_ERROR;
}

/** The answer to a request body that body-parser could not read: over the limit, or broken off. */
export function outcomeOfUnreadableBody(error: unknown, limitBytes: number): OperationOutcome {
  return (error as { type?: unknown } | null)?.type === 'entity.too.large'
    ? outcomeWithStatus(413, 'too-costly', `request body exceeds ${String(limitBytes)} bytes`)
    : outcomeWithStatus(400, 'invalid', 'request body could not be read');
}

/** Thrown to answer 400 with the issue at `expression`. */
export function invalid(text: string, expression?: string): OperationOutcomeError {
  return new OperationOutcomeError(badRequest(text, expression));
}

/** Seconds a client waits before retrying a 503: a database or broker restart takes about this long. */
export const RETRY_AFTER_SECONDS = 5;

/** Sends a FHIR result; a 503 tells the client when to retry. `contentType` is JSON outside `/fhir`. */
export function sendFhir(
  res: Response,
  [outcome, resource]: FhirResult,
  contentType: string = FHIR_JSON,
): void {
  const status = statusOf(outcome);
  if (status === 503) {
    res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
  }
  res
    .status(status)
    .type(contentType)
    .send(JSON.stringify(resource ?? outcome));
}
