import { randomUUID } from 'node:crypto';
import { OperationOutcomeError, allOk } from '@medplum/core';
import type { Bundle, BundleEntry, OperationOutcome } from '@medplum/fhirtypes';
import type { ImagingResourceType } from '@oncoimg/fhir-events';
import type { ResourceWriteRequest } from '@oncoimg/store';
import {
  outcomeOfError,
  outcomeWithStatus,
  parseIfNoneExist,
  statusOf,
  type Locator,
  type RequestDeadline,
} from '@oncoimg/fhir-http';
import type { IntakeWrites } from './intake-writes.ts';
import { validateIntake, type AnyIntakeRules } from './intake-rules.ts';
import type { WriteOutcome } from './resource-writer.ts';

/** One request of a Bundle, checked and ready to run. */
interface PlannedEntry {
  index: number;
  method: 'POST' | 'PUT' | 'DELETE';
  id?: string;
  resource?: Record<string, unknown>;
  ifNoneExist?: string;
  ifMatch?: string;
}

/** A Bundle of more entries than this is refused: split it; one transaction must stay short. */
export const MAX_BUNDLE_ENTRIES = 1_000;

const STATUS_TEXT: Partial<Record<number, string>> = {
  200: '200 OK',
  201: '201 Created',
  204: '204 No Content',
};

function entryError(index: number, text: string, status = 400): OperationOutcomeError {
  return new OperationOutcomeError(
    outcomeWithStatus(status, 'invalid', text, `Bundle.entry[${String(index)}]`),
  );
}

/** Parses one entry's request against this service's resource type. */
function planEntry(entry: BundleEntry, index: number, resourceType: ImagingResourceType): PlannedEntry {
  const request = entry.request;
  if (!request?.method || !request.url) {
    throw entryError(index, 'entry.request.method and entry.request.url are required');
  }
  const url = request.url.replace(/^\//, '').split('?').at(0) ?? '';
  const [type, id, ...rest] = url.split('/');
  if (type !== resourceType || rest.length > 0) {
    throw entryError(index, `this service takes ${resourceType} entries, not ${JSON.stringify(request.url)}`);
  }
  const resource = entry.resource as Record<string, unknown> | undefined;
  switch (request.method) {
    case 'POST':
      if (id || !resource) {
        throw entryError(index, 'POST needs a resource and a type-only url');
      }
      return { index, method: 'POST', resource, ifNoneExist: request.ifNoneExist };
    case 'PUT':
      if (!id || !resource) {
        throw entryError(index, 'PUT needs a resource and a url Type/id');
      }
      if (resource.id !== id) {
        throw entryError(index, 'resource.id must equal the id in entry.request.url');
      }
      return { index, method: 'PUT', id, resource, ifMatch: request.ifMatch };
    case 'DELETE':
      if (!id) {
        throw entryError(index, 'DELETE needs a url Type/id');
      }
      return { index, method: 'DELETE', id, ifMatch: request.ifMatch };
    default:
      throw entryError(index, `method ${request.method} is not supported in Bundles here`);
  }
}

/** Replaces references to `urn:uuid:` fullUrls of this transaction by the ids they get. */
function resolveReferences(value: unknown, ids: ReadonlyMap<string, string>): unknown {
  if (Array.isArray(value)) {
    return value.map((item) => resolveReferences(item, ids));
  }
  if (typeof value !== 'object' || value === null) {
    return value;
  }
  const result: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    result[key] =
      key === 'reference' && typeof item === 'string' && ids.has(item)
        ? ids.get(item)
        : resolveReferences(item, ids);
  }
  return result;
}

/**
 * The response entry of one write. FHIR answers 201 for any write that made the resource, a PUT
 * to a new id included; a conditional create that found its match made nothing (200).
 */
export function responseEntry(write: WriteOutcome, location: Locator): BundleEntry {
  const status = write.action === 'created' ? 201 : write.action === 'deleted' ? 204 : 200;
  return {
    ...(write.action === 'deleted' ? {} : { resource: write.resource }),
    response: {
      status: STATUS_TEXT[status] ?? String(status),
      etag: `W/"${write.versionId}"`,
      lastModified: write.lastUpdated,
      ...(write.action === 'deleted' ? {} : { location: location(write.resource, write.versionId) }),
    },
  };
}

/** The write one planned entry asks for, its resource validated; throws a 400 when invalid. */
function requestOf({ resourceType, rules }: BundleContext, plan: PlannedEntry): ResourceWriteRequest {
  switch (plan.method) {
    case 'POST':
      return {
        method: 'create',
        resource: validateIntake(plan.resource ?? {}, resourceType, rules),
        ...(plan.id ? { id: plan.id } : {}),
        ...(plan.ifNoneExist === undefined ? {} : { ifNoneExist: parseIfNoneExist(plan.ifNoneExist) }),
      };
    case 'PUT':
      return {
        method: 'update',
        resource: validateIntake(plan.resource ?? {}, resourceType, rules),
        ifMatch: plan.ifMatch,
      };
    case 'DELETE':
      return { method: 'delete', type: resourceType, id: plan.id ?? '', ifMatch: plan.ifMatch };
  }
}

/** A failed entry of a batch-response. */
function failedEntry(error: unknown): BundleEntry {
  const outcome = outcomeOfError(error);
  return { response: { status: String(statusOf(outcome)), outcome } };
}

export interface BundleContext {
  writes: IntakeWrites;
  resourceType: ImagingResourceType;
  rules?: AnyIntakeRules;
  location: Locator;
  /** The request's time limit: the Bundle's transaction does not start once it has passed. */
  deadline?: RequestDeadline;
}

/**
 * `POST /fhir` with a batch or transaction Bundle: every entry is validated first, then all are
 * written in one database transaction with a few multi-row statements. A batch reports each
 * entry's status (one failing entry fails alone); a transaction is all or nothing.
 */
export async function processBundle(
  body: Record<string, unknown>,
  context: BundleContext,
): Promise<[OperationOutcome, Bundle]> {
  const { writes, resourceType, location } = context;
  if (body.resourceType !== 'Bundle') {
    throw new OperationOutcomeError(
      outcomeWithStatus(400, 'invalid', 'POST /fhir takes a Bundle', 'resourceType'),
    );
  }
  const bundle = body as unknown as Bundle;
  if (bundle.type !== 'batch' && bundle.type !== 'transaction') {
    throw new OperationOutcomeError(
      outcomeWithStatus(
        400,
        'not-supported',
        `Bundle.type must be batch or transaction, not ${JSON.stringify(bundle.type)}`,
        'Bundle.type',
      ),
    );
  }
  const entries = bundle.entry ?? [];
  if (!Array.isArray(entries)) {
    throw new OperationOutcomeError(
      outcomeWithStatus(400, 'structure', 'Bundle.entry must be an array', 'Bundle.entry'),
    );
  }
  if (entries.length > MAX_BUNDLE_ENTRIES) {
    throw new OperationOutcomeError(
      outcomeWithStatus(
        413,
        'too-costly',
        `Bundle has more than ${String(MAX_BUNDLE_ENTRIES)} entries`,
        'Bundle.entry',
      ),
    );
  }

  if (bundle.type === 'batch') {
    // Every entry is checked first; the valid ones are written in one database transaction, each
    // succeeding or failing on its own.
    const response: (BundleEntry | undefined)[] = [];
    const valid: { index: number; request: ResourceWriteRequest }[] = [];
    for (const [index, entry] of entries.entries()) {
      try {
        valid.push({ index, request: requestOf(context, planEntry(entry, index, resourceType)) });
      } catch (error) {
        response[index] = failedEntry(error);
      }
    }
    const answers = await writes.writeMany(
      valid.map((v) => v.request),
      { atomic: false, deadline: context.deadline },
    );
    valid.forEach(({ index }, at) => {
      const answer = answers[at];
      response[index] = answer.ok
        ? responseEntry(answer.result as WriteOutcome, location)
        : failedEntry(answer.error);
    });
    return [allOk, { resourceType: 'Bundle', type: 'batch-response', entry: response as BundleEntry[] }];
  }

  // Transaction: plan and validate every entry before touching the database.
  const plans = entries.map((entry, index) => planEntry(entry, index, resourceType));
  const assigned = new Map<string, string>();
  for (const plan of plans) {
    const fullUrl = entries.at(plan.index)?.fullUrl;
    if (plan.method === 'POST' && !plan.ifNoneExist) {
      plan.id = randomUUID();
      if (fullUrl?.startsWith('urn:uuid:')) {
        assigned.set(fullUrl, `${resourceType}/${plan.id}`);
      }
    }
  }
  const requests = plans.map((plan) => {
    if (plan.resource) {
      plan.resource = resolveReferences(plan.resource, assigned) as Record<string, unknown>;
      if (plan.id && plan.method === 'POST') {
        plan.resource.id = plan.id;
      }
    }
    try {
      return requestOf(context, plan);
    } catch (error) {
      const outcome = outcomeOfError(error);
      throw new OperationOutcomeError({
        ...outcome,
        issue: outcome.issue.map((issue) => ({
          ...issue,
          expression: (issue.expression ?? ['']).map(
            (e) => `Bundle.entry[${String(plan.index)}].resource.${e}`,
          ),
        })),
      });
    }
  });
  const answers = await writes.writeMany(requests, { atomic: true, deadline: context.deadline });
  return [
    allOk,
    {
      resourceType: 'Bundle',
      type: 'transaction-response',
      entry: answers.map((answer) => {
        if (!answer.ok) {
          throw answer.error;
        }
        return responseEntry(answer.result as WriteOutcome, location);
      }),
    },
  ];
}
