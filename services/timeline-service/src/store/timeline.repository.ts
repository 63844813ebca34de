import { createHash } from 'node:crypto';
import type { Database, Queryable } from '@oncoimg/store';
import type { PatientTimeline, RecordEntry } from '../domain/index.ts';

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

/** A Kafka position to resume from: the offset of the next message to process. */
export interface PartitionPosition {
  topic: string;
  partition: number;
  nextOffset: bigint;
}

/** What the writer needs to know about a stored timeline: whether a new one differs. */
export interface TimelineHead {
  version: number;
  hash: string;
}

/** The longest patient search fragment accepted: enough for any name or identifier. */
const MAX_SEARCH_LENGTH = 100;

/** Deterministic digest of a timeline, so an unchanged recomputation publishes nothing. */
export function timelineHash(timeline: PatientTimeline): string {
  return createHash('sha256').update(JSON.stringify(timeline)).digest('base64url');
}

/**
 * Reads and writes of the timeline store. Writes take the caller's transaction so that the state,
 * the consumed offsets and the outbox event commit together.
 */
export interface TimelineRepository {
  loadEntries(tx: Queryable, refs: readonly string[]): Promise<Map<string, RecordEntry>>;
  saveEntries(
    tx: Queryable,
    entries: readonly { entry: RecordEntry; patientKey: string | null }[],
  ): Promise<void>;
  loadPatientEntries(tx: Queryable, patientKeys: readonly string[]): Promise<Map<string, RecordEntry[]>>;
  loadHeads(tx: Queryable, patientKeys: readonly string[]): Promise<Map<string, TimelineHead>>;
  saveTimeline(
    tx: Queryable,
    input: { timeline: PatientTimeline; version: number; hash: string; searchText: string },
  ): Promise<void>;
  readPositions(tx: Queryable, group: string, topics: readonly string[]): Promise<PartitionPosition[]>;
  savePositions(tx: Queryable, group: string, positions: readonly PartitionPosition[]): Promise<void>;

  getTimeline(patientKey: string): Promise<StoredTimeline | undefined>;
  searchPatients(query: string, limit: number): Promise<PatientMatch[]>;
  patientsWithStudy(studyUid: string): Promise<string[]>;
  timelinesWithUnreported(): Promise<PatientTimeline[]>;
  timelinesWithProblems(): Promise<PatientTimeline[]>;
  counts(): Promise<{ patients: number; resources: number }>;
}

export function createTimelineRepository({ db }: { db: Database }): TimelineRepository {
  return {
    async loadEntries(tx, refs) {
      const found = new Map<string, RecordEntry>();
      if (refs.length === 0) return found;
      const { rows } = await tx.query<{ ref: string; entry: RecordEntry }>(
        'SELECT ref, entry FROM timeline_resources WHERE ref = ANY($1::text[])',
        [refs],
      );
      for (const row of rows) found.set(row.ref, row.entry);
      return found;
    },

    async saveEntries(tx, entries) {
      if (entries.length === 0) return;
      await tx.query(
        `INSERT INTO timeline_resources (ref, patient_key, entry)
         SELECT e->>'ref', e->>'patientKey', e->'entry' FROM jsonb_array_elements($1::jsonb) AS e
         ON CONFLICT (ref) DO UPDATE
           SET patient_key = EXCLUDED.patient_key, entry = EXCLUDED.entry, updated_at = now()`,
        [JSON.stringify(entries.map(({ entry, patientKey }) => ({ ref: entry.ref, patientKey, entry })))],
      );
    },

    async loadPatientEntries(tx, patientKeys) {
      const byPatient = new Map<string, RecordEntry[]>(patientKeys.map((key) => [key, []]));
      if (patientKeys.length === 0) return byPatient;
      const { rows } = await tx.query<{ patient_key: string; entry: RecordEntry }>(
        'SELECT patient_key, entry FROM timeline_resources WHERE patient_key = ANY($1::text[])',
        [patientKeys],
      );
      for (const row of rows) byPatient.get(row.patient_key)?.push(row.entry);
      return byPatient;
    },

    async loadHeads(tx, patientKeys) {
      const heads = new Map<string, TimelineHead>();
      if (patientKeys.length === 0) return heads;
      const { rows } = await tx.query<{ patient_key: string; version: number; timeline_hash: string }>(
        'SELECT patient_key, version, timeline_hash FROM timelines WHERE patient_key = ANY($1::text[])',
        [patientKeys],
      );
      for (const row of rows) heads.set(row.patient_key, { version: row.version, hash: row.timeline_hash });
      return heads;
    },

    async saveTimeline(tx, { timeline, version, hash, searchText }) {
      const unreported = timeline.pending.unreported.length;
      const problems = timeline.unmatched.length + timeline.ambiguous.length;
      await tx.query(
        `INSERT INTO timelines (patient_key, version, timeline, timeline_hash, search_text, exam_count, unreported_count, problem_count)
         VALUES ($1, $2, $3::jsonb, $4, $5, $6, $7, $8)
         ON CONFLICT (patient_key) DO UPDATE SET
           version = EXCLUDED.version, timeline = EXCLUDED.timeline, timeline_hash = EXCLUDED.timeline_hash,
           search_text = EXCLUDED.search_text, exam_count = EXCLUDED.exam_count,
           unreported_count = EXCLUDED.unreported_count, problem_count = EXCLUDED.problem_count, updated_at = now()`,
        [
          timeline.patientKey,
          version,
          JSON.stringify(timeline),
          hash,
          searchText,
          timeline.exams.length,
          unreported,
          problems,
        ],
      );
      await tx.query('DELETE FROM timeline_study_index WHERE patient_key = $1', [timeline.patientKey]);
      const uids = [...new Set(timeline.exams.map((exam) => exam.studyUid).filter((uid) => uid !== null))];
      if (uids.length > 0) {
        await tx.query(
          `INSERT INTO timeline_study_index (study_uid, patient_key)
           SELECT uid, $2 FROM unnest($1::text[]) AS uid ON CONFLICT DO NOTHING`,
          [uids, timeline.patientKey],
        );
      }
    },

    async readPositions(tx, group, topics) {
      const { rows } = await tx.query<{ topic: string; partition: number; next_offset: string }>(
        'SELECT topic, partition, next_offset FROM consumer_offsets WHERE consumer_group = $1 AND topic = ANY($2::text[])',
        [group, topics],
      );
      return rows.map((row) => ({
        topic: row.topic,
        partition: row.partition,
        nextOffset: BigInt(row.next_offset),
      }));
    },

    async savePositions(tx, group, positions) {
      if (positions.length === 0) return;
      await tx.query(
        `INSERT INTO consumer_offsets (consumer_group, topic, partition, next_offset)
         SELECT $1, p->>'topic', (p->>'partition')::integer, (p->>'nextOffset')::bigint
         FROM jsonb_array_elements($2::jsonb) AS p
         ON CONFLICT (consumer_group, topic, partition) DO UPDATE
           SET next_offset = GREATEST(consumer_offsets.next_offset, EXCLUDED.next_offset), updated_at = now()`,
        [
          group,
          JSON.stringify(
            positions.map((p) => ({
              topic: p.topic,
              partition: p.partition,
              nextOffset: p.nextOffset.toString(),
            })),
          ),
        ],
      );
    },

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
