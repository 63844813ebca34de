import { OperationOutcomeError } from '@medplum/core';
import {
  buildImagingEvent,
  encodeEvent,
  type ImagingResource,
  type ImagingResourceType,
} from '@oncoimg/fhir-events';
import {
  enqueueOutbox,
  type Queryable,
  type ResourceRepository,
  type StoredResource,
  type WriteResult,
} from '@oncoimg/store';
import { outcomeWithStatus, parseIfNoneExist } from '@oncoimg/fhir-http';

export interface ResourceWriterOptions {
  repository: ResourceRepository;
  resourceType: ImagingResourceType;
  /** The intake topic of this resource type. */
  topic: string;
  /** `ce_source` of the events. */
  source: string;
}

/** A write and what it did; `existing` marks a conditional create that found its match. */
export type WriteOutcome = WriteResult<ImagingResource> & { existing?: boolean };

/**
 * Writes of one intake service. Every write stores the new version and enqueues its event in the
 * caller's transaction, so the two commit together or not at all (transactional outbox). A write
 * that changes nothing (`unchanged`) publishes nothing.
 */
export interface ResourceWriter {
  create(tx: Queryable, resource: ImagingResource, options?: { ifNoneExist?: string }): Promise<WriteOutcome>;
  update(tx: Queryable, resource: ImagingResource, options?: { ifMatch?: string }): Promise<WriteOutcome>;
  delete(tx: Queryable, id: string, options?: { ifMatch?: string }): Promise<WriteOutcome>;
}

/** The answer to a conditional create whose identifier several resources carry. */
export function severalMatches(count: number): OperationOutcomeError {
  return new OperationOutcomeError(
    outcomeWithStatus(412, 'duplicate', `If-None-Exist matches ${String(count)} resources`, 'If-None-Exist'),
  );
}

/**
 * The outbox message of a write that made a version. A delete is a version of its own; its event
 * carries the last body under that version.
 */
export function eventMessage(
  { topic, source }: { topic: string; source: string },
  result: WriteResult<ImagingResource>,
): { topic: string; key: string; value: string; headers: Record<string, string> } {
  const body: StoredResource<ImagingResource> =
    result.action === 'deleted'
      ? {
          ...result.resource,
          meta: { ...result.resource.meta, versionId: result.versionId, lastUpdated: result.lastUpdated },
        }
      : result.resource;
  if (result.action === 'unchanged') {
    throw new Error('a write that changed nothing has no event');
  }
  const event = buildImagingEvent({
    resource: body,
    action: result.action,
    source,
    time: result.lastUpdated,
  });
  return { topic, ...encodeEvent(event) };
}

export function createResourceWriter({
  repository,
  resourceType,
  topic,
  source,
}: ResourceWriterOptions): ResourceWriter {
  async function publish(tx: Queryable, result: WriteResult<ImagingResource>): Promise<WriteOutcome> {
    if (result.action !== 'unchanged') {
      await enqueueOutbox(tx, eventMessage({ topic, source }, result));
    }
    return result;
  }

  return {
    async create(tx, resource, { ifNoneExist } = {}) {
      if (ifNoneExist !== undefined) {
        const matches = await repository.findByIdentifier<ImagingResource>(
          tx,
          resourceType,
          parseIfNoneExist(ifNoneExist),
        );
        const match = matches.at(0);
        if (matches.length > 1) {
          throw severalMatches(matches.length);
        }
        if (match) {
          return {
            action: 'unchanged',
            resource: match,
            versionId: match.meta.versionId,
            lastUpdated: match.meta.lastUpdated,
            existing: true,
          };
        }
      }
      return publish(tx, await repository.create(tx, resource));
    },
    async update(tx, resource, options) {
      return publish(tx, await repository.update(tx, resource, options));
    },
    async delete(tx, id, options) {
      return publish(
        tx,
        (await repository.delete(tx, resourceType, id, options)) as WriteResult<ImagingResource>,
      );
    },
  };
}
