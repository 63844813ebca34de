import { patientKeyOf } from '@oncoimg/fhir-events';
import { TimelineDomainError } from '../errors.ts';
import type { TimelineInputEvent } from './input-event.ts';
import {
  isImagingResourceType,
  parseLiteralReference,
  referenceString,
  type ImagingResource,
  type ImagingResourceType,
} from './imaging-resource.ts';
import { compareVersionStamps, type VersionStamp } from './version-stamp.ts';

/** One body of a resource and the version it is. */
export interface VersionedBody {
  stamp: VersionStamp;
  resource: ImagingResource;
}

/** The newest known state of one resource: its winning version, or its tombstone. */
export interface RecordEntry {
  /** `ImagingStudy/abc` */
  ref: string;
  resourceType: ImagingResourceType;
  id: string;
  stamp: VersionStamp;
  /** The body the winning event carried (for a delete, whatever the delete event carried). */
  resource: ImagingResource;
  /** Kafka key of the winning event: the patient a delete without subject belongs to. */
  eventKey: string | null;
  /**
   * For a tombstone: the newest live version ever seen, so the removed history can say what was
   * deleted even when the delete event carries only a stub. Null while the resource is live.
   */
  lastLive: VersionedBody | null;
}

/**
 * The latest version of every ServiceRequest, ImagingStudy and DiagnosticReport of one patient,
 * tombstones included. The timeline is a pure function of this set. Entries whose latest version
 * names another patient (a study moved to the right patient) stay as markers, so an older version
 * arriving late cannot bring the resource back; the timeline ignores them.
 */
export interface PatientRecords {
  patientKey: string;
  entries: Readonly<Record<string, RecordEntry>>;
}

/** `applied`: the event is the newest version; `duplicate`: seen before; `stale`: an older version. */
export type ApplyOutcome = 'applied' | 'duplicate' | 'stale';

export interface MergeResult {
  entry: RecordEntry;
  outcome: ApplyOutcome;
  /** False when the stored entry is unchanged (a redelivery): nothing to recompute or publish. */
  changed: boolean;
}

export interface ApplyResult {
  records: PatientRecords;
  ref: string;
  outcome: ApplyOutcome;
  changed: boolean;
}

/** Records of a patient nothing is known about yet. */
export function emptyPatientRecords(patientKey: string): PatientRecords {
  return { patientKey, entries: {} };
}

/** The id of the event's resource: `resource.id`, else the id in `ce_subject` (`ImagingStudy/abc`). */
function resourceIdOf(event: TimelineInputEvent): string {
  const id = event.resource.id;
  if (id) {
    return id;
  }
  const subject = parseLiteralReference(event.attributes.subject);
  if (subject?.resourceType === event.resource.resourceType) {
    return subject.id;
  }
  throw new TimelineDomainError(
    'MISSING_RESOURCE_ID',
    `${event.resource.resourceType} event without resource id or subject`,
  );
}

/** The record entry one event would create on its own. Throws TimelineDomainError on a malformed event. */
export function recordEntryOf(event: TimelineInputEvent): RecordEntry {
  const resourceType: unknown = event.resource.resourceType;
  if (!isImagingResourceType(resourceType)) {
    throw new TimelineDomainError(
      'UNSUPPORTED_RESOURCE_TYPE',
      `the timeline does not take ${String(resourceType)} resources`,
    );
  }
  const id = resourceIdOf(event);
  const stamp: VersionStamp = {
    versionId: event.resource.meta?.versionId ?? null,
    lastUpdated: event.resource.meta?.lastUpdated ?? null,
    eventTime: event.attributes.time ?? null,
    eventId: event.attributes.id ?? null,
    deleted: event.action === 'deleted',
  };
  return {
    ref: referenceString(resourceType, id),
    resourceType,
    id,
    stamp,
    resource: event.resource,
    eventKey: event.key ?? null,
    lastLive: null,
  };
}

function liveBodyOf(entry: RecordEntry): VersionedBody | null {
  return entry.stamp.deleted ? entry.lastLive : { stamp: entry.stamp, resource: entry.resource };
}

function newer(a: VersionedBody | null, b: VersionedBody | null): VersionedBody | null {
  if (a === null) {
    return b;
  }
  if (b === null) {
    return a;
  }
  return compareVersionStamps(a.stamp, b.stamp) >= 0 ? a : b;
}

/**
 * Merges one more version of a resource into what is known of it. The merge keeps the maximum of
 * both sides (winning version, newest live body), so it is commutative and idempotent: any
 * arrival order, with any duplicates, ends in the same entry.
 */
export function mergeRecordEntry(current: RecordEntry | undefined, incoming: RecordEntry): MergeResult {
  if (!current) {
    return { entry: incoming, outcome: 'applied', changed: true };
  }
  const order = compareVersionStamps(incoming.stamp, current.stamp);
  const winner = order > 0 ? incoming : current;
  const lastLive = winner.stamp.deleted ? newer(liveBodyOf(current), liveBodyOf(incoming)) : null;
  const outcome: ApplyOutcome = order > 0 ? 'applied' : order === 0 ? 'duplicate' : 'stale';
  if (winner === current && lastLive === current.lastLive) {
    return { entry: current, outcome, changed: false };
  }
  return { entry: { ...winner, lastLive }, outcome, changed: true };
}

/**
 * Applies one event to a patient's records: keeps per resource the highest version (numeric
 * `meta.versionId`, then `meta.lastUpdated`, then `ce_time`); a delete is a tombstone at its
 * version; a stale or duplicate event does not replace it (a stale live version may only improve
 * what a tombstone remembers). Pure: returns new records and leaves the input untouched.
 */
export function applyEvent(records: PatientRecords, event: TimelineInputEvent): ApplyResult {
  const incoming = recordEntryOf(event);
  const result = mergeRecordEntry(records.entries[incoming.ref], incoming);
  if (!result.changed) {
    return { records, ref: incoming.ref, outcome: result.outcome, changed: false };
  }
  return {
    records: {
      patientKey: records.patientKey,
      entries: { ...records.entries, [incoming.ref]: result.entry },
    },
    ref: incoming.ref,
    outcome: result.outcome,
    changed: true,
  };
}

/**
 * The patient an entry belongs to now: the subject of its winning body, else of its last live
 * body (a delete may carry a stub), else the Kafka key of the event.
 */
export function entryPatientKey(entry: RecordEntry): string | undefined {
  return (
    patientKeyOf(entry.resource) ??
    (entry.lastLive ? patientKeyOf(entry.lastLive.resource) : undefined) ??
    entry.eventKey ??
    undefined
  );
}
