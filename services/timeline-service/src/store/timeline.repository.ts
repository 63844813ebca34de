import { createHash } from 'node:crypto';
import {
  readPositions,
  savePositions,
  type Database,
  type PartitionPosition,
  type Queryable,
} from '@oncoimg/store';
import type { PatientTimeline, RecordEntry } from '../domain/index.ts';
import { saveTimelines, type TimelineToSave } from './timeline-writes.ts';
import {
  loadEntries,
  loadPatientRevisions,
  loadRevisionedEntries,
  saveEntries,
  type RevisionedEntry,
} from './timeline-entries.ts';

export type { RevisionedEntry } from './timeline-entries.ts';
export { studyUidsOf, type TimelineToSave } from './timeline-writes.ts';

/** A timeline as stored: the JSON plus the version that counts its changes. */
export interface StoredTimeline {
  patientKey: string;
  version: number;
  timeline: PatientTimeline;
  updatedAt: Date;
}

/** One hit of a patient search. */
export interface PatientMatch {
  patientKey: string;
  names: string[];
  examCount: number;
  updatedAt: Date;
}

export type { PartitionPosition };

/** What the writer needs to know about a stored timeline: whether a new one differs. */
export interface TimelineHead {
  version: number;
  hash: string;
  /** The study UIDs the study index holds for the patient, sorted. */
  studyUids: string[];
}

/** The longest patient search fragment accepted: enough for any name or identifier. */
const MAX_SEARCH_LENGTH = 100;

/** A timeline to store, serialized once: the same JSON is hashed and written. */
/** Deterministic digest of a timeline's JSON, so an unchanged recomputation publishes nothing. */
export function timelineHash(timelineJson: string): string {
  return createHash('sha256').update(timelineJson).digest('base64url');
}

/**
 * Reads and writes of the timeline store. Writes take the caller's transaction so that the state,
 * the consumed offsets and the outbox event commit together.
 */
export interface TimelineRepository {
  /**
   * Makes this transaction the only writer of these patients and resources until it ends
   * (transaction-scoped advisory locks). Keys are locked in one global order, so two batches
   * never wait for each other in a cycle. On PGlite (one connection) the locks are always free.
   */
  lockKeys(tx: Queryable, keys: readonly string[]): Promise<void>;
  loadEntries(tx: Queryable, refs: readonly string[]): Promise<Map<string, RecordEntry>>;
  saveEntries(
    tx: Queryable,
    entries: readonly { entry: RecordEntry; patientKey: string | null }[],
  ): Promise<void>;
  /** Per patient, the refs of its stored entries and the revision of each row. */
  loadPatientRevisions(
    tx: Queryable,
    patientKeys: readonly string[],
  ): Promise<Map<string, Map<string, string>>>;
  loadRevisionedEntries(tx: Queryable, refs: readonly string[]): Promise<Map<string, RevisionedEntry>>;
  loadHeads(tx: Queryable, patientKeys: readonly string[]): Promise<Map<string, TimelineHead>>;
  /** Stores many timelines in a constant number of statements, whatever their count. */
  saveTimelines(tx: Queryable, timelines: readonly TimelineToSave[]): Promise<void>;
  readPositions(tx: Queryable, group: string, topics: readonly string[]): Promise<PartitionPosition[]>;
  savePositions(tx: Queryable, group: string, positions: readonly PartitionPosition[]): Promise<void>;

  getTimeline(patientKey: string): Promise<StoredTimeline | undefined>;
  searchPatients(query: string, limit: number): Promise<PatientMatch[]>;
  patientsWithStudy(studyUid: string): Promise<string[]>;
  timelinesWithUnreported(): Promise<PatientTimeline[]>;
  timelinesWithProblems(): Promise<PatientTimeline[]>;
  counts(): Promise<{ patients: number; resources: number }>;
}

/**
 * The advisory lock id of a key: 64 bits of its SHA-256 (as a signed bigint, decimal). A
 * collision only makes two keys share a lock, which costs waiting, never correctness.
 */
export function advisoryLockId(key: string): bigint {
  return createHash('sha256').update(key).digest().readBigInt64BE(0);
}

export function createTimelineRepository({ db }: { db: Database }): TimelineRepository {
  return {
    async lockKeys(tx, keys) {
      if (keys.length === 0) {
        return;
      }
      // Sorted by lock id (not by key), so colliding keys cannot break the global order.
      const ids = [...new Set(keys.map(advisoryLockId))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      // A function scan yields the array in order, so the locks are taken in that order.
      await tx.query('SELECT pg_advisory_xact_lock(id) FROM unnest($1::bigint[]) AS id', [ids.map(String)]);
    },

    loadEntries,
    saveEntries,
    loadPatientRevisions,
    loadRevisionedEntries,

    async loadHeads(tx, patientKeys) {
      const heads = new Map<string, TimelineHead>();
      if (patientKeys.length === 0) {
        return heads;
      }
      const { rows } = await tx.query<{
        patient_key: string;
        version: number;
        timeline_hash: string;
        study_uids: string[];
      }>(
        `SELECT patient_key, version, timeline_hash,
           ARRAY(SELECT study_uid FROM timeline_study_index i
                 WHERE i.patient_key = t.patient_key ORDER BY study_uid COLLATE "C") AS study_uids
         FROM timelines t WHERE patient_key = ANY($1::text[])`,
        [patientKeys],
      );
      for (const row of rows) {
        heads.set(row.patient_key, {
          version: row.version,
          hash: row.timeline_hash,
          studyUids: row.study_uids,
        });
      }
      return heads;
    },

    saveTimelines,

    readPositions,
    savePositions,

    async getTimeline(patientKey) {
      const { rows } = await db.query<{ version: number; timeline: PatientTimeline; updated_at: Date }>(
        'SELECT version, timeline, updated_at FROM timelines WHERE patient_key = $1',
        [patientKey],
      );
      const row = rows.at(0);
      return row && { patientKey, version: row.version, timeline: row.timeline, updatedAt: row.updated_at };
    },

    async searchPatients(query, limit) {
      const fragment = query.trim().toLowerCase().slice(0, MAX_SEARCH_LENGTH);
      const pattern = `%${fragment.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      const { rows } = await db.query<{
        patient_key: string;
        search_text: string;
        exam_count: number;
        updated_at: Date;
      }>(
        `SELECT patient_key, search_text, exam_count, updated_at FROM timelines
         WHERE exam_count > 0 AND (lower(patient_key) LIKE $1 OR lower(search_text) LIKE $1)
         ORDER BY (lower(patient_key) = $2) DESC, updated_at DESC LIMIT $3`,
        [pattern, fragment, limit],
      );
      return rows.map((row) => ({
        patientKey: row.patient_key,
        names: namesOfSearchText(row.search_text),
        examCount: row.exam_count,
        updatedAt: row.updated_at,
      }));
    },

    async patientsWithStudy(studyUid) {
      const { rows } = await db.query<{ patient_key: string }>(
        'SELECT patient_key FROM timeline_study_index WHERE study_uid = $1 ORDER BY patient_key',
        [studyUid],
      );
      return rows.map((row) => row.patient_key);
    },

    async timelinesWithUnreported() {
      const { rows } = await db.query<{ timeline: PatientTimeline }>(
        'SELECT timeline FROM timelines WHERE unreported_count > 0 ORDER BY patient_key',
      );
      return rows.map((row) => row.timeline);
    },

    async timelinesWithProblems() {
      const { rows } = await db.query<{ timeline: PatientTimeline }>(
        'SELECT timeline FROM timelines WHERE problem_count > 0 ORDER BY patient_key',
      );
      return rows.map((row) => row.timeline);
    },

    async counts() {
      const { rows } = await db.query<{ patients: string; resources: string }>(
        `SELECT (SELECT count(*) FROM timelines WHERE exam_count > 0) AS patients,
                (SELECT count(*) FROM timeline_resources) AS resources`,
      );
      const row = rows.at(0);
      return { patients: Number(row?.patients ?? 0), resources: Number(row?.resources ?? 0) };
    },
  };
}

/** Search text is the identifiers line, then one display name per line; see `searchTextOf`. */
function namesOfSearchText(searchText: string): string[] {
  return searchText.split('\n').slice(1).filter(Boolean);
}
