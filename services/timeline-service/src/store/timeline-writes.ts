import type { Queryable } from '@oncoimg/store';
import type { PatientTimeline } from '../domain/index.ts';
import { COPY_MIN_ROWS, copyUpsert, type CopyUpsert } from './copy-upsert.ts';

export interface TimelineToSave {
  timeline: PatientTimeline;
  /** `JSON.stringify(timeline)`. */
  json: string;
  version: number;
  hash: string;
  searchText: string;
  /** What the study index holds for the patient (`TimelineHead.studyUids`); null: unknown, rewrite it. */
  studyUidsBefore: readonly string[] | null;
}

const COLUMNS = `patient_key text, version integer, timeline jsonb, timeline_hash text, search_text text,
  exam_count integer, unreported_count integer, problem_count integer`;
const COLUMN_NAMES =
  'patient_key, version, timeline, timeline_hash, search_text, exam_count, unreported_count, problem_count';
const UPSERT_SET = `version = EXCLUDED.version, timeline = EXCLUDED.timeline, timeline_hash = EXCLUDED.timeline_hash,
  search_text = EXCLUDED.search_text, exam_count = EXCLUDED.exam_count,
  unreported_count = EXCLUDED.unreported_count, problem_count = EXCLUDED.problem_count, updated_at = now()`;

const STAGED_TIMELINES: CopyUpsert = {
  staging: 'timelines_in',
  columns: COLUMNS,
  upsert: `INSERT INTO timelines (${COLUMN_NAMES}) SELECT ${COLUMN_NAMES} FROM timelines_in
    ON CONFLICT (patient_key) DO UPDATE SET ${UPSERT_SET}`,
};

/** The counts the worklist queries filter on: exams, unreported exams, linking problems. */
function counts(timeline: PatientTimeline): [number, number, number] {
  return [
    timeline.exams.length,
    timeline.pending.unreported.length,
    timeline.unmatched.length + timeline.ambiguous.length,
  ];
}

/** The distinct study UIDs of a timeline's exams, sorted: its rows of the study index. */
export function studyUidsOf(timeline: PatientTimeline): string[] {
  const uids = new Set<string>();
  for (const exam of timeline.exams) {
    if (exam.studyUid !== null) {
      uids.add(exam.studyUid);
    }
  }
  return [...uids].sort();
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i]);
}

/** Stores many timelines in a constant number of statements, and their study index rows where they changed. */
export async function saveTimelines(tx: Queryable, timelines: readonly TimelineToSave[]): Promise<void> {
  if (timelines.length === 0) {
    return;
  }
  if (timelines.length >= COPY_MIN_ROWS) {
    await copyUpsert(
      tx,
      STAGED_TIMELINES,
      timelines.map(({ timeline, json, version, hash, searchText }) => [
        timeline.patientKey,
        String(version),
        json,
        hash,
        searchText,
        ...counts(timeline).map(String),
      ]),
    );
  } else {
    await upsertFromJson(tx, timelines);
  }
  await saveStudyIndex(tx, timelines);
}

async function upsertFromJson(tx: Queryable, timelines: readonly TimelineToSave[]): Promise<void> {
  // The timeline JSON is spliced in as is rather than re-serialized inside a bigger object.
  const rows = timelines.map(({ timeline, json, version, hash, searchText }) => {
    const [examCount, unreportedCount, problemCount] = counts(timeline);
    return (
      `{"patient_key":${JSON.stringify(timeline.patientKey)},"version":${String(version)},` +
      `"timeline":${json},"timeline_hash":${JSON.stringify(hash)},` +
      `"search_text":${JSON.stringify(searchText)},"exam_count":${String(examCount)},` +
      `"unreported_count":${String(unreportedCount)},"problem_count":${String(problemCount)}}`
    );
  });
  await tx.query(
    `INSERT INTO timelines (${COLUMN_NAMES})
     SELECT ${COLUMN_NAMES} FROM jsonb_to_recordset($1::jsonb) AS t(${COLUMNS})
     ON CONFLICT (patient_key) DO UPDATE SET ${UPSERT_SET}`,
    [`[${rows.join(',')}]`],
  );
}

async function saveStudyIndex(tx: Queryable, timelines: readonly TimelineToSave[]): Promise<void> {
  // Most changes leave a patient's studies as they were: only the others rewrite their index rows.
  const patientKeys: string[] = [];
  const indexUids: string[] = [];
  const indexKeys: string[] = [];
  for (const { timeline, studyUidsBefore } of timelines) {
    const uids = studyUidsOf(timeline);
    if (studyUidsBefore !== null && sameList(uids, studyUidsBefore)) {
      continue;
    }
    patientKeys.push(timeline.patientKey);
    for (const uid of uids) {
      indexUids.push(uid);
      indexKeys.push(timeline.patientKey);
    }
  }
  if (patientKeys.length === 0) {
    return;
  }
  await tx.query('DELETE FROM timeline_study_index WHERE patient_key = ANY($1::text[])', [patientKeys]);
  if (indexUids.length > 0) {
    await tx.query(
      `INSERT INTO timeline_study_index (study_uid, patient_key)
       SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING`,
      [indexUids, indexKeys],
    );
  }
}
