import type { Queryable } from '@oncoimg/store';
import type { RecordEntry } from '../domain/index.ts';
import { COPY_MIN_ROWS, copyUpsert, type CopyUpsert } from './copy-upsert.ts';

/** A stored entry and the revision of its row (a new one on every write, see migration 002). */
export interface RevisionedEntry {
  entry: RecordEntry;
  revision: string;
}

/** The stored entries of these resources. */
export async function loadEntries(tx: Queryable, refs: readonly string[]): Promise<Map<string, RecordEntry>> {
  const found = new Map<string, RecordEntry>();
  if (refs.length === 0) {
    return found;
  }
  const { rows } = await tx.query<{ ref: string; entry: RecordEntry }>(
    'SELECT ref, entry FROM timeline_resources WHERE ref = ANY($1::text[])',
    [refs],
  );
  for (const row of rows) {
    found.set(row.ref, row.entry);
  }
  return found;
}

const UPSERT_SET = `patient_key = EXCLUDED.patient_key, entry = EXCLUDED.entry, updated_at = now(),
  revision = nextval('timeline_resource_revision')`;

const STAGED_ENTRIES: CopyUpsert = {
  staging: 'timeline_resources_in',
  columns: 'ref text, patient_key text, entry jsonb',
  upsert: `INSERT INTO timeline_resources (ref, patient_key, entry)
    SELECT ref, patient_key, entry FROM timeline_resources_in
    ON CONFLICT (ref) DO UPDATE SET ${UPSERT_SET}`,
};

/** Inserts or replaces entries; each written row gets a new revision. */
export async function saveEntries(
  tx: Queryable,
  entries: readonly { entry: RecordEntry; patientKey: string | null }[],
): Promise<void> {
  if (entries.length === 0) {
    return;
  }
  if (entries.length >= COPY_MIN_ROWS) {
    await copyUpsert(
      tx,
      STAGED_ENTRIES,
      entries.map(({ entry, patientKey }) => [entry.ref, patientKey, JSON.stringify(entry)]),
    );
    return;
  }
  await tx.query(
    `INSERT INTO timeline_resources (ref, patient_key, entry)
     SELECT e->>'ref', e->>'patientKey', e->'entry' FROM jsonb_array_elements($1::jsonb) AS e
     ON CONFLICT (ref) DO UPDATE SET ${UPSERT_SET}`,
    [JSON.stringify(entries.map(({ entry, patientKey }) => ({ ref: entry.ref, patientKey, entry })))],
  );
}

/**
 * The refs and revisions of these patients' stored entries, without the entries: what a consumer
 * holding parsed entries from earlier batches compares its copies with.
 */
export async function loadPatientRevisions(
  tx: Queryable,
  patientKeys: readonly string[],
): Promise<Map<string, Map<string, string>>> {
  const byPatient = new Map<string, Map<string, string>>(patientKeys.map((key) => [key, new Map()]));
  if (patientKeys.length === 0) {
    return byPatient;
  }
  const { rows } = await tx.query<{ patient_key: string; ref: string; revision: string }>(
    'SELECT patient_key, ref, revision FROM timeline_resources WHERE patient_key = ANY($1::text[])',
    [patientKeys],
  );
  for (const row of rows) {
    byPatient.get(row.patient_key)?.set(row.ref, row.revision);
  }
  return byPatient;
}

/** The stored entries of these resources, each with the revision it was read at. */
export async function loadRevisionedEntries(
  tx: Queryable,
  refs: readonly string[],
): Promise<Map<string, RevisionedEntry>> {
  const found = new Map<string, RevisionedEntry>();
  if (refs.length === 0) {
    return found;
  }
  const { rows } = await tx.query<{ ref: string; revision: string; entry: RecordEntry }>(
    'SELECT ref, revision, entry FROM timeline_resources WHERE ref = ANY($1::text[])',
    [refs],
  );
  for (const row of rows) {
    found.set(row.ref, { entry: row.entry, revision: row.revision });
  }
  return found;
}
