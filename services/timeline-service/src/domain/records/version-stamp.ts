/**
 * What decides which of two versions of one resource is newer. Kafka delivers at least once and
 * in no particular order across topics, so the timeline keeps per resource the version that wins
 * this comparison, whatever order the events came in.
 */
export interface VersionStamp {
  /** `meta.versionId` of the resource. */
  versionId: string | null;
  /** `meta.lastUpdated` of the resource. */
  lastUpdated: string | null;
  /** `ce_time` of the event. */
  eventTime: string | null;
  /** `ce_id` of the event. */
  eventId: string | null;
  /** A delete event: a tombstone at its version. */
  deleted: boolean;
}

const NUMERIC = /^\d{1,15}$/;

function compareInstants(a: string | null, b: string | null): number {
  const left = a === null ? Number.NaN : Date.parse(a);
  const right = b === null ? Number.NaN : Date.parse(b);
  if (Number.isNaN(left) || Number.isNaN(right)) {
    return 0;
  }
  return Math.sign(left - right);
}

function compareStrings(a: string | null, b: string | null): number {
  if (a === b) {
    return 0;
  }
  if (a === null) {
    return -1;
  }
  if (b === null) {
    return 1;
  }
  return a < b ? -1 : 1;
}

/**
 * Orders two stamps of the same resource: numeric `versionId`, then `lastUpdated`, then the event
 * time. At an equal version a delete wins (a delete event may carry the last stored body, same
 * version). The event id breaks the last tie so that the winner never depends on arrival order.
 * Returns a negative number when `a` is older, positive when newer, 0 for the same event.
 */
export function compareVersionStamps(a: VersionStamp, b: VersionStamp): number {
  if (
    a.versionId !== null &&
    b.versionId !== null &&
    NUMERIC.test(a.versionId) &&
    NUMERIC.test(b.versionId)
  ) {
    const byVersion = Math.sign(Number(a.versionId) - Number(b.versionId));
    if (byVersion !== 0) {
      return byVersion;
    }
  }
  const byLastUpdated = compareInstants(a.lastUpdated, b.lastUpdated);
  if (byLastUpdated !== 0) {
    return byLastUpdated;
  }
  const byEventTime = compareInstants(a.eventTime, b.eventTime);
  if (byEventTime !== 0) {
    return byEventTime;
  }
  if (a.deleted !== b.deleted) {
    return a.deleted ? 1 : -1;
  }
  return compareStrings(a.eventId, b.eventId);
}
