import type { Migration } from '@oncoimg/store';

/**
 * The timeline store. `timeline_resources` holds the winning version of every order, study and
 * report (the domain's RecordEntry); timelines are derived from it and kept materialised, so reads
 * never rebuild. `consumer_offsets` commits with the state change, which is what makes a
 * redelivered message a no-op (effectively once).
 */
export const timelineMigrations: readonly Migration[] = [
  {
    id: 'timeline.001-create',
    sql: `
      CREATE TABLE timeline_resources (
        ref text PRIMARY KEY,
        patient_key text,
        entry jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX timeline_resources_patient ON timeline_resources (patient_key);

      CREATE TABLE timelines (
        patient_key text PRIMARY KEY,
        version integer NOT NULL,
        timeline jsonb NOT NULL,
        timeline_hash text NOT NULL,
        search_text text NOT NULL DEFAULT '',
        exam_count integer NOT NULL DEFAULT 0,
        unreported_count integer NOT NULL DEFAULT 0,
        problem_count integer NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX timelines_unreported ON timelines (patient_key) WHERE unreported_count > 0;
      CREATE INDEX timelines_problems ON timelines (patient_key) WHERE problem_count > 0;

      CREATE TABLE timeline_study_index (
        study_uid text NOT NULL,
        patient_key text NOT NULL,
        PRIMARY KEY (study_uid, patient_key)
      );
      CREATE INDEX timeline_study_index_patient ON timeline_study_index (patient_key);

      CREATE TABLE consumer_offsets (
        consumer_group text NOT NULL,
        topic text NOT NULL,
        partition integer NOT NULL,
        next_offset bigint NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer_group, topic, partition)
      );
    `,
  },
  {
    // The mCODE CancerDiseaseStatus of each follow-up response, kept with the timeline that made it
    // so that reads never recompute, and compared by content_hash to say what a version changed.
    id: 'timeline.002-disease-status-observations',
    sql: `
      CREATE TABLE timeline_observations (
        id text PRIMARY KEY,
        patient_key text NOT NULL,
        exam_id text NOT NULL,
        code text NOT NULL,
        content_hash text NOT NULL,
        version_id integer NOT NULL,
        observation jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX timeline_observations_patient ON timeline_observations (patient_key, code);
    `,
  },
  {
    // Every write of a resource row gets a new revision (a sequence never hands a number out
    // twice, even to a transaction that rolls back), so a consumer can keep the parsed entries
    // of a patient between batches and read only the revisions to know which are still current.
    // A random start: a store dropped and created again under a running consumer does not hand
    // out the numbers its copies were cached with.
    id: 'timeline.003-resource-revision',
    sql: `
      CREATE SEQUENCE timeline_resource_revision;
      SELECT setval('timeline_resource_revision', 1 + floor(random() * 1e15)::bigint);
      ALTER TABLE timeline_resources
        ADD COLUMN revision bigint NOT NULL DEFAULT nextval('timeline_resource_revision');
    `,
  },
];
