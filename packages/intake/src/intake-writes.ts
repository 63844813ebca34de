import type { ImagingResource } from '@oncoimg/fhir-events';
import {
  isStoreError,
  withTraceContext,
  writeResources,
  type Database,
  type ResourceWriteAnswer,
  type ResourceWriteRequest,
  type StoreErrorCode,
  type WriteResult,
} from '@oncoimg/store';
import { beforeDeadline, type RequestDeadline } from '@oncoimg/fhir-http';
import { eventMessage, severalMatches, type WriteOutcome } from './resource-writer.ts';
import { createWriteQueue } from './write-queue.ts';

/** How concurrent single writes are grouped (group commit); `false` writes each in its own transaction. */
export type GroupCommitOptions = { maxGroup: number; maxConcurrent: number } | false;

export interface IntakeWritesOptions {
  db: Database;
  /** The intake topic and the `ce_source` of the events. */
  topic: string;
  source: string;
  groupCommit: GroupCommitOptions;
}

/** The writes of an intake service, each version stored with its event in one transaction. */
export interface IntakeWrites {
  /**
   * Many writes in one database transaction. `atomic` (a FHIR transaction): all are written, or
   * the first failure is thrown and nothing is. Else (a batch) each answer is its own.
   */
  writeMany(
    requests: readonly ResourceWriteRequest[],
    options: { atomic: boolean; deadline?: RequestDeadline },
  ): Promise<ResourceWriteAnswer[]>;
  /**
   * One write, committed with the concurrent ones when group commit is on; throws its own failure.
   * Not started once `deadline` has passed (RequestTimedOutError).
   */
  writeOne(request: ResourceWriteRequest, deadline?: RequestDeadline): Promise<WriteOutcome>;
}

/** The database is away: trying the entries one by one would only make each wait for it again. */
const UNAVAILABLE: ReadonlySet<StoreErrorCode> = new Set([
  'CONNECTION_FAILED',
  'TIMEOUT',
  'RESOURCES_EXHAUSTED',
  'CLOSED',
  'QUERY_CANCELED',
]);
/** A concurrent write got there first (the same new id, a deadlock): the same bulk again reads its result. */
const RACES: ReadonlySet<StoreErrorCode> = new Set(['UNIQUE_VIOLATION', 'SERIALIZATION_FAILURE', 'DEADLOCK']);

interface Traced {
  request: ResourceWriteRequest;
  /** The trace context of the request that asked for this write, for its event's headers. */
  trace: Record<string, string>;
}

export function createIntakeWrites({ db, topic, source, groupCommit }: IntakeWritesOptions): IntakeWrites {
  const bulk = (items: readonly Traced[], atomic: boolean) =>
    writeResources(
      db,
      items.map((item) => item.request),
      {
        atomic,
        severalMatches,
        outboxMessage: (result, index) => {
          const message = eventMessage({ topic, source }, result as WriteResult<ImagingResource>);
          return { ...message, headers: { ...message.headers, ...items[index]?.trace } };
        },
      },
    );

  /** The bulk, once more after a race with a concurrent write (its second reads see the winner). */
  async function bulkWithRetry(items: readonly Traced[], atomic: boolean): Promise<ResourceWriteAnswer[]> {
    try {
      return await bulk(items, atomic);
    } catch (error) {
      if (isStoreError(error) && RACES.has(error.code)) {
        return bulk(items, atomic);
      }
      throw error;
    }
  }

  async function writeTraced(items: readonly Traced[], atomic: boolean): Promise<ResourceWriteAnswer[]> {
    try {
      return await bulkWithRetry(items, atomic);
    } catch (error) {
      if (atomic) {
        throw error;
      }
      if (items.length === 1 || (isStoreError(error) && UNAVAILABLE.has(error.code))) {
        return items.map(() => ({ ok: false, error }));
      }
      // One entry made the statement fail (a value the database refuses): each alone, so it fails alone.
      const answers: ResourceWriteAnswer[] = [];
      for (const item of items) {
        answers.push(...(await writeTraced([item], false)));
      }
      return answers;
    }
  }

  const queue = groupCommit
    ? createWriteQueue<Traced, ResourceWriteAnswer>({
        write: (items) => writeTraced(items, false),
        ...groupCommit,
      })
    : undefined;

  return {
    writeMany: (requests, { atomic, deadline }) => {
      const trace = withTraceContext();
      return beforeDeadline(deadline, () =>
        writeTraced(
          requests.map((request) => ({ request, trace })),
          atomic,
        ),
      );
    },
    async writeOne(request, deadline) {
      const item = { request, trace: withTraceContext() };
      const answer: ResourceWriteAnswer | undefined = queue
        ? await queue.submit(item, deadline)
        : (await beforeDeadline(deadline, () => writeTraced([item], false))).at(0);
      if (answer === undefined) {
        throw new Error('the write gave no answer');
      }
      if (!answer.ok) {
        throw answer.error;
      }
      return {
        ...(answer.result as WriteResult<ImagingResource>),
        ...(answer.existing ? { existing: true } : {}),
      };
    },
  };
}
