import type { Observation } from '@medplum/fhirtypes';
import type { Database, Queryable } from '@oncoimg/store';

/** What the writer compares a new Observation with: its content digest and version. */
export interface StoredObservationHead {
  id: string;
  patientKey: string;
  examId: string;
  contentHash: string;
  versionId: number;
}

/** An Observation to store, as served (its `meta.versionId` and `meta.lastUpdated` set). */
export interface ObservationToSave {
  id: string;
  patientKey: string;
  examId: string;
  /** The LOINC code searched by: `97509-4`. */
  code: string;
  contentHash: string;
  versionId: number;
  observation: Observation;
}

/**
 * The derived Observations of the timelines. Writes take the consumer's transaction, so they commit
 * with the timeline, its outbox event and the consumed offsets.
 */
export interface ObservationRepository {
  loadHeads(tx: Queryable, patientKeys: readonly string[]): Promise<StoredObservationHead[]>;
  save(tx: Queryable, observations: readonly ObservationToSave[]): Promise<void>;
  remove(tx: Queryable, ids: readonly string[]): Promise<void>;
  /** The patient's Observations with this code (any code when null), by effective date then id. */
  search(patientKey: string, code: string | null): Promise<Observation[]>;
  read(id: string): Promise<{ patientKey: string; observation: Observation } | undefined>;
}

export function createObservationRepository({ db }: { db: Database }): ObservationRepository {
  return {
    async loadHeads(tx, patientKeys) {
      if (patientKeys.length === 0) {
        return [];
      }
      const { rows } = await tx.query<{
        id: string;
        patient_key: string;
        exam_id: string;
        content_hash: string;
        version_id: number;
      }>(
        `SELECT id, patient_key, exam_id, content_hash, version_id FROM timeline_observations
         WHERE patient_key = ANY($1::text[])`,
        [patientKeys],
      );
      return rows.map((row) => ({
        id: row.id,
        patientKey: row.patient_key,
        examId: row.exam_id,
        contentHash: row.content_hash,
        versionId: row.version_id,
      }));
    },

    async save(tx, observations) {
      if (observations.length === 0) {
        return;
      }
      await tx.query(
        `INSERT INTO timeline_observations (id, patient_key, exam_id, code, content_hash, version_id, observation)
         SELECT id, patient_key, exam_id, code, content_hash, version_id, observation
         FROM jsonb_to_recordset($1::jsonb) AS o(id text, patient_key text, exam_id text, code text,
           content_hash text, version_id integer, observation jsonb)
         ON CONFLICT (id) DO UPDATE SET
           patient_key = EXCLUDED.patient_key, exam_id = EXCLUDED.exam_id, code = EXCLUDED.code,
           content_hash = EXCLUDED.content_hash, version_id = EXCLUDED.version_id,
           observation = EXCLUDED.observation, updated_at = now()`,
        [
          JSON.stringify(
            observations.map((o) => ({
              id: o.id,
              patient_key: o.patientKey,
              exam_id: o.examId,
              code: o.code,
              content_hash: o.contentHash,
              version_id: o.versionId,
              observation: o.observation,
            })),
          ),
        ],
      );
    },

    async remove(tx, ids) {
      if (ids.length > 0) {
        await tx.query('DELETE FROM timeline_observations WHERE id = ANY($1::text[])', [ids]);
      }
    },

    async search(patientKey, code) {
      const { rows } = await db.query<{ observation: Observation }>(
        `SELECT observation FROM timeline_observations
         WHERE patient_key = $1 AND ($2::text IS NULL OR code = $2)
         ORDER BY observation->>'effectiveDateTime' NULLS LAST, id`,
        [patientKey, code],
      );
      return rows.map((row) => row.observation);
    },

    async read(id) {
      const { rows } = await db.query<{ patient_key: string; observation: Observation }>(
        'SELECT patient_key, observation FROM timeline_observations WHERE id = $1',
        [id],
      );
      const row = rows.at(0);
      return row && { patientKey: row.patient_key, observation: row.observation };
    },
  };
}
