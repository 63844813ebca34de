/**
 * The store side of a bulk rebuild: events are merged per resource in memory and written once,
 * and each patient's timeline is computed once, in chunks of patients, each chunk one transaction
 * with multi-row statements. When the merged resources pass a memory bound they are spilled to
 * the store (merged with what it holds) and their patients are recomputed from it at the end.
 */
import type { Database, Queryable } from '@oncoimg/store';
import { recomputeTimelines } from './consumers/imaging-events.consumer.ts';
import { entryPatientKey, mergeRecordEntry, type RecordEntry, type TimelineOptions } from './domain/index.ts';
import type { ObservationRepository } from './store/observation.repository.ts';
import type { TimelineRepository } from './store/timeline.repository.ts';

/** Patients per transaction when timelines are written: a few MB of JSON per statement. */
const PATIENTS_PER_CHUNK = 500;
/** Resources per transaction when a spill writes them. */
const ENTRIES_PER_CHUNK = 2_000;

export interface RebuildStoreOptions {
  db: Database;
  repository: TimelineRepository;
  observations: ObservationRepository;
  source: string;
  timelineOptions: TimelineOptions;
  /** Bytes of events held in memory before they are spilled to the store. */
  memoryBytes: number;
  /** The store held no resources when the rebuild began: while nothing was spilled, nothing is read back. */
  fresh: boolean;
}

export interface RebuildStore {
  /** Merges one decoded event; spills when over the memory bound. */
  add(entry: RecordEntry, bytes: number): Promise<void>;
  /** Writes what is held and every touched patient's timeline; `onPatients` after each chunk. */
  finish(onPatients: (written: number, total: number) => void): Promise<{ spills: number }>;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += size) {
    out.push(items.slice(start, start + size));
  }
  return out;
}

export function createRebuildStore(options: RebuildStoreOptions): RebuildStore {
  const { db, repository, observations, source, timelineOptions, memoryBytes, fresh } = options;
  let held = new Map<string, RecordEntry>();
  let heldBytes = 0;
  let spills = 0;
  /** Patients with spilled resources: recomputed from the store unless held entries name them too. */
  const spilledPatients = new Set<string>();
  /** Patients a resource moved away from, once it was stored: recomputed at the very end. */
  const movedFrom = new Set<string>();
  const deps = { db, repository, observations, groupId: '', timelineTopic: null, source, timelineOptions };

  /** Merges `entries` with the stored versions and saves what changed; returns the merged ones. */
  async function mergeIntoStore(
    tx: Queryable,
    entries: readonly RecordEntry[],
  ): Promise<Map<string, RecordEntry>> {
    const stored = await repository.loadEntries(
      tx,
      entries.map((entry) => entry.ref),
    );
    const merged = new Map<string, RecordEntry>();
    const changed: { entry: RecordEntry; patientKey: string | null }[] = [];
    for (const entry of entries) {
      const before = stored.get(entry.ref);
      const result = mergeRecordEntry(before, entry);
      merged.set(entry.ref, result.entry);
      if (result.changed) {
        changed.push({ entry: result.entry, patientKey: entryPatientKey(result.entry) ?? null });
      }
      // A resource that moved away from a patient changes that patient's timeline too.
      const previousOwner = before && entryPatientKey(before);
      if (previousOwner && previousOwner !== entryPatientKey(result.entry)) {
        movedFrom.add(previousOwner);
      }
    }
    await repository.saveEntries(tx, changed);
    return merged;
  }

  async function spill(): Promise<void> {
    const entries = [...held.values()];
    held = new Map();
    heldBytes = 0;
    spills += 1;
    for (const chunk of chunks(entries, ENTRIES_PER_CHUNK)) {
      await db.transaction(async (tx) => {
        for (const entry of (await mergeIntoStore(tx, chunk)).values()) {
          const owner = entryPatientKey(entry);
          if (owner) {
            spilledPatients.add(owner);
          }
        }
      });
    }
  }

  return {
    async add(entry, bytes) {
      const result = mergeRecordEntry(held.get(entry.ref), entry);
      if (!result.changed) {
        return;
      }
      held.set(entry.ref, result.entry);
      heldBytes += bytes;
      if (heldBytes > memoryBytes) {
        await spill();
      }
    },

    async finish(onPatients) {
      const byPatient = new Map<string, RecordEntry[]>();
      const ownerless: RecordEntry[] = [];
      for (const entry of held.values()) {
        const owner = entryPatientKey(entry);
        if (!owner) {
          ownerless.push(entry);
          continue;
        }
        const list = byPatient.get(owner);
        if (list) {
          list.push(entry);
        } else {
          byPatient.set(owner, [entry]);
        }
      }
      held = new Map();
      heldBytes = 0;
      const total = new Set([...byPatient.keys(), ...spilledPatients]).size;
      let written = 0;
      const computed = new Set<string>();
      for (const patientKeys of chunks([...byPatient.keys()].sort(), PATIENTS_PER_CHUNK)) {
        const entries = patientKeys.flatMap((key) => byPatient.get(key) ?? []);
        await db.transaction(async (tx) => {
          if (fresh && spills === 0) {
            // Everything is in memory and the store is empty: write, never read back.
            await repository.saveEntries(
              tx,
              entries.map((entry) => ({ entry, patientKey: entryPatientKey(entry) ?? null })),
            );
            const held = new Map(entries.map((entry) => [entry.ref, entry]));
            await recomputeTimelines(tx, patientKeys, held, deps, new Date(), { heldIsAll: true });
            return;
          }
          const merged = await mergeIntoStore(tx, entries);
          await recomputeTimelines(tx, patientKeys, merged, deps, new Date());
        });
        for (const key of patientKeys) {
          computed.add(key);
        }
        written += patientKeys.length;
        onPatients(written, total);
      }
      if (ownerless.length > 0) {
        await db.transaction((tx) => mergeIntoStore(tx, ownerless));
      }
      // Patients only spilled, or that a resource moved away from (recomputing twice is harmless).
      const rest = [...new Set([...[...spilledPatients].filter((key) => !computed.has(key)), ...movedFrom])];
      for (const patientKeys of chunks(rest.sort(), PATIENTS_PER_CHUNK)) {
        await db.transaction((tx) => recomputeTimelines(tx, patientKeys, new Map(), deps, new Date()));
        written += patientKeys.filter((key) => !computed.has(key)).length;
        onPatients(written, Math.max(written, total));
      }
      return { spills };
    },
  };
}
