/**
 * Consumer of the three intake topics (orders, studies, reports) into per-patient timelines.
 *
 * Guarantees
 * - Effectively once: the merged resource versions, the recomputed timelines, the outbox rows of
 *   the timeline events and the consumed offsets commit in ONE database transaction. A message at
 *   or below a stored offset is skipped, and a duplicate event that slips through (same event
 *   republished at another offset) merges to no change, so it neither alters a timeline nor
 *   publishes an event.
 * - Order-independent: each resource keeps its highest version (the domain's commutative merge)
 *   and a timeline is a pure function of the resources of its patient, so every arrival order ends
 *   in the same timeline.
 * - Dead letters: an event that cannot be decoded or is refused by the domain (wrong type, no id)
 *   fails non-retriably; the runner isolates it and sends it to the topic's dead-letter topic.
 *   Database errors keep their `retriable` flag, so a lost connection is retried, not dead-lettered.
 * - One writer per patient: a batch locks its resources and patients (transaction-scoped advisory
 *   locks) before it reads them, so two instances whose partitions hold the same patient's order,
 *   study and report apply them one after the other, each recomputing from what the other
 *   committed, and the timeline version comes from the locked row: never the same version twice.
 * - Timeline events: one `imaging.timeline.v1` event per changed timeline per batch, keyed by the
 *   patient, through the outbox (published after commit by the relay).
 * - Derived Observations: each changed timeline's mCODE CancerDiseaseStatus Observations are
 *   stored in the same transaction (reads never recompute), and the event's `responseChanges` lists
 *   those created, updated or deleted against the stored ones, so a redelivery reports nothing.
 * - Incremental, with the full recomputation's result: a patient cache keeps each patient's parsed
 *   entries with the revision of their rows, so a batch reads back only rows another batch or
 *   instance rewrote since, and the domain re-derives only the parts and exams whose entries
 *   changed (`TimelineMemo`). Linking, baselines and responses still run over the whole patient.
 */
import { buildTimelineEventHeaders, decodeImagingEvent, type ConsumedMessage } from '@oncoimg/fhir-events';
import {
  enqueueOutbox,
  positionsAfter,
  unprocessedMessages,
  type Database,
  type OutboxMessage,
  type Queryable,
} from '@oncoimg/store';
import {
  buildTimeline,
  entryPatientKey,
  mergeRecordEntry,
  recordEntryOf,
  type PatientTimeline,
  type RecordEntry,
  type TimelineOptions,
} from '../domain/index.ts';
import { planResponseChanges } from '../events/response-changes.ts';
import { searchTextOf, summarizeTimeline } from '../events/timeline-summary.ts';
import { entriesOf, uncachedPatient, type CachedPatient, type PatientCache } from './patient-cache.ts';
import type {
  ObservationRepository,
  ObservationToSave,
  StoredObservationHead,
} from '../store/observation.repository.ts';
import {
  timelineHash,
  type RevisionedEntry,
  type TimelineHead,
  type TimelineRepository,
  type TimelineToSave,
} from '../store/timeline.repository.ts';

export interface ImagingEventsDeps {
  db: Database;
  repository: TimelineRepository;
  observations: ObservationRepository;
  /** The consumer group whose offsets are stored with the state. */
  groupId: string;
  /** Where timeline events go; `null` when none are published (a rebuild). */
  timelineTopic: string | null;
  /** `ce_source` of the timeline events. */
  source: string;
  /**
   * Settings of the clinical rules (`baselineWindowDays`, `confirmationDays`); each one left out
   * takes the domain's default (28 days, RECIST 1.1's 4 weeks).
   */
  timelineOptions?: TimelineOptions;
  /** Patients' entries kept between batches (one per consumer); without it each batch reads them all. */
  patientCache?: PatientCache;
  now?: () => Date;
}

/** A timeline that changed in a committed batch. */
export interface TimelineChange {
  patientKey: string;
  version: number;
  timeline: PatientTimeline;
}

export interface ImagingEventsResult {
  /** Messages skipped because their offset was already committed with the state. */
  skipped: number;
  applied: number;
  /** Duplicate or stale versions: merged to no change. */
  unchanged: number;
  changes: TimelineChange[];
}

/** Merges the batch's versions into the stored ones; returns the changed entries and the patients they touch. */
function mergeBatch(stored: Map<string, RecordEntry>, incoming: readonly RecordEntry[]) {
  const merged = new Map(stored);
  const changed = new Set<string>();
  const affectedPatients = new Set<string>();
  let unchanged = 0;
  for (const entry of incoming) {
    const before = merged.get(entry.ref);
    const result = mergeRecordEntry(before, entry);
    if (!result.changed) {
      unchanged += 1;
      continue;
    }
    merged.set(entry.ref, result.entry);
    changed.add(entry.ref);
    // A study moved to another patient changes both timelines.
    for (const owner of [before && entryPatientKey(before), entryPatientKey(result.entry)]) {
      if (owner) {
        affectedPatients.add(owner);
      }
    }
  }
  return { merged, changed, affectedPatients, unchanged };
}

/**
 * Each patient's current entries: the batch's own (`held`, stored already), else the cached copy
 * when its row's revision has not moved since, else read from the store. Rows are locked by the
 * patient locks, so what is read here stays current until the transaction ends.
 */
async function currentEntries(
  tx: Queryable,
  patientKeys: readonly string[],
  held: ReadonlyMap<string, RecordEntry>,
  { repository, patientCache }: ImagingEventsDeps,
): Promise<Map<string, CachedPatient>> {
  const revisions = await repository.loadPatientRevisions(tx, patientKeys);
  const cached = new Map(patientKeys.map((key) => [key, patientCache?.get(key)]));
  const toRead: string[] = [];
  for (const [patientKey, refs] of revisions) {
    const copies = cached.get(patientKey)?.entries;
    for (const [ref, revision] of refs) {
      if (!held.has(ref) && copies?.get(ref)?.revision !== revision) {
        toRead.push(ref);
      }
    }
  }
  const read = await repository.loadRevisionedEntries(tx, toRead);
  const current = new Map<string, CachedPatient>();
  for (const patientKey of patientKeys) {
    const before = cached.get(patientKey) ?? uncachedPatient();
    const entries = new Map<string, RevisionedEntry>();
    for (const [ref, revision] of revisions.get(patientKey) ?? []) {
      const heldEntry = held.get(ref);
      const found = heldEntry ? { entry: heldEntry, revision } : (read.get(ref) ?? before.entries.get(ref));
      if (found) {
        entries.set(ref, found);
      }
    }
    current.set(patientKey, { entries, memo: before.memo });
  }
  return current;
}

/** A rebuild into a fresh store: the held entries are all there is. */
function heldEntriesOnly(
  patientKeys: readonly string[],
  held: ReadonlyMap<string, RecordEntry>,
): Map<string, CachedPatient> {
  const current = new Map(patientKeys.map((key) => [key, uncachedPatient()]));
  for (const entry of held.values()) {
    const owner = entryPatientKey(entry);
    current.get(owner ?? '')?.entries.set(entry.ref, { entry, revision: '' });
  }
  return current;
}

function byRef(a: RecordEntry, b: RecordEntry): number {
  if (a.ref === b.ref) {
    return 0;
  }
  return a.ref < b.ref ? -1 : 1;
}

/**
 * Recomputes these patients' timelines and stores those that changed (with their outbox events when
 * `deps.timelineTopic` is set). `held` is the batch's merged entries, the same as stored (they were
 * saved before): those are not read back, only the patients' other entries are, and of those only
 * the ones `deps.patientCache` has no current copy of. `heldIsAll`: the caller knows the store
 * holds nothing else of these patients and no timeline of them (a rebuild into a fresh store), so
 * nothing is read.
 */
export async function recomputeTimelines(
  tx: Queryable,
  patientKeys: readonly string[],
  held: ReadonlyMap<string, RecordEntry>,
  deps: ImagingEventsDeps,
  now: Date,
  { heldIsAll = false }: { heldIsAll?: boolean } = {},
): Promise<TimelineChange[]> {
  const { repository, observations, timelineTopic, source, timelineOptions = {}, patientCache } = deps;
  const patients = heldIsAll
    ? heldEntriesOnly(patientKeys, held)
    : await currentEntries(tx, patientKeys, held, deps);
  const heads = heldIsAll ? new Map<string, TimelineHead>() : await repository.loadHeads(tx, patientKeys);
  const changes: TimelineChange[] = [];
  const toSave: TimelineToSave[] = [];
  for (const patientKey of patientKeys) {
    const patient = patients.get(patientKey) ?? uncachedPatient();
    // Sorted so that the search text does not depend on the order rows come back in.
    const entries = entriesOf(patient).sort(byRef);
    const records = { patientKey, entries: Object.fromEntries(entries.map((entry) => [entry.ref, entry])) };
    const timeline = buildTimeline(records, timelineOptions, patient.memo);
    // Safe before the commit: a rolled-back write's revision is never handed out again, so a copy
    // cached with it can only miss.
    if (!heldIsAll) {
      patientCache?.set(patientKey, patient);
    }
    const json = JSON.stringify(timeline);
    const hash = timelineHash(json);
    const head = heads.get(patientKey);
    if (head?.hash === hash) {
      continue;
    }
    const version = (head?.version ?? 0) + 1;
    // No head, no index rows: both are only ever written together.
    const studyUidsBefore = head?.studyUids ?? [];
    toSave.push({ timeline, json, version, hash, searchText: searchTextOf(records), studyUidsBefore });
    changes.push({ patientKey, version, timeline });
  }
  // Only a changed timeline can change its Observations: the others' are not read.
  const storedObservations = new Map<string, StoredObservationHead[]>();
  const changedKeys = changes.map((change) => change.patientKey);
  for (const head of heldIsAll ? [] : await observations.loadHeads(tx, changedKeys)) {
    storedObservations.set(head.patientKey, [...(storedObservations.get(head.patientKey) ?? []), head]);
  }
  const outbox: OutboxMessage[] = [];
  const observationsToSave: ObservationToSave[] = [];
  const observationsToRemove: string[] = [];
  for (const { patientKey, version, timeline } of changes) {
    const plan = planResponseChanges(timeline, storedObservations.get(patientKey) ?? [], now);
    observationsToSave.push(...plan.save);
    observationsToRemove.push(...plan.remove);
    if (timelineTopic !== null) {
      outbox.push({
        topic: timelineTopic,
        key: patientKey,
        value: JSON.stringify(
          summarizeTimeline(timeline, { version, updatedAt: now, responseChanges: plan.changes }),
        ),
        headers: buildTimelineEventHeaders({ patientKey, source, time: now.toISOString() }),
      });
    }
  }
  await repository.saveTimelines(tx, toSave);
  await observations.save(tx, observationsToSave);
  await observations.remove(tx, observationsToRemove);
  if (outbox.length > 0) {
    await enqueueOutbox(tx, outbox);
  }
  return changes;
}

function patientLockKey(patientKey: string): string {
  return `patient\u0000${patientKey}`;
}

/**
 * The keys a batch locks before it reads: each resource (its stored version decides the merge)
 * and each patient it names (the patient's timeline is recomputed from all of its resources).
 */
function lockKeysOf(entries: readonly RecordEntry[]): string[] {
  const keys = new Set<string>();
  for (const entry of entries) {
    keys.add(`resource\u0000${entry.ref}`);
    const owner = entryPatientKey(entry);
    if (owner) {
      keys.add(patientLockKey(owner));
    }
  }
  return [...keys];
}

/**
 * Applies a batch of intake events in one transaction. Throws a non-retriable error for an event
 * that can never be applied (the runner then retries message by message to dead-letter only that
 * one); database errors propagate with their own `retriable` flag.
 */
export async function handleImagingEvents(
  messages: readonly ConsumedMessage[],
  deps: ImagingEventsDeps,
): Promise<ImagingEventsResult> {
  const { db, repository, groupId, now = () => new Date() } = deps;
  // Decoding first, outside the transaction: a poison message fails before any lock is taken.
  const decoded = messages.map((message) => ({ message, entry: recordEntryOf(decodeImagingEvent(message)) }));
  const topics = [...new Set(messages.map((m) => m.topic))];
  return db.transaction(async (tx) => {
    // Before anything is read: another instance may hold these patients' other topics (see lockKeys).
    const locked = new Set(lockKeysOf(decoded.map(({ entry }) => entry)));
    await repository.lockKeys(tx, [...locked]);
    const positions = await repository.readPositions(tx, groupId, topics);
    const fresh = new Set(unprocessedMessages(messages, positions));
    const entries = decoded.filter(({ message }) => fresh.has(message)).map(({ entry }) => entry);
    const stored = await repository.loadEntries(tx, [...new Set(entries.map((entry) => entry.ref))]);
    const { merged, changed, affectedPatients, unchanged } = mergeBatch(stored, entries);
    // A resource moved away from a patient also changes that patient's timeline: lock it too. Out
    // of the global order, so rarely a deadlock, which PostgreSQL breaks and the runner retries.
    await repository.lockKeys(
      tx,
      [...affectedPatients].map(patientLockKey).filter((key) => !locked.has(key)),
    );
    await repository.saveEntries(
      tx,
      [...changed].map((ref) => {
        const entry = merged.get(ref) as RecordEntry;
        return { entry, patientKey: entryPatientKey(entry) ?? null };
      }),
    );
    const changes = await recomputeTimelines(tx, [...affectedPatients].sort(), merged, deps, now());
    await repository.savePositions(tx, groupId, positionsAfter(messages));
    return { skipped: messages.length - fresh.size, applied: changed.size, unchanged, changes };
  });
}
