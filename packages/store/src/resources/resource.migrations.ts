import type { Migration } from '../migrate.ts';

/**
 * FHIR resources: every version in `fhir_resource_versions` (history, the JSON exactly as served),
 * and one row per resource in `fhir_resources` pointing at its current version, with the search
 * index. The JSON is stored once, as text: no jsonb parsing on the write path, and the bytes read
 * back are the bytes published.
 */
export const resourceMigrations: readonly Migration[] = [
  {
    id: 'store.resources.001-create',
    sql: `
      CREATE TABLE fhir_resource_versions (
        resource_type text NOT NULL,
        id text NOT NULL,
        version_id integer NOT NULL,
        last_updated timestamptz NOT NULL,
        deleted boolean NOT NULL,
        content text,
        PRIMARY KEY (resource_type, id, version_id),
        CONSTRAINT fhir_resource_versions_content CHECK (deleted = (content IS NULL))
      );
      CREATE TABLE fhir_resources (
        resource_type text NOT NULL,
        id text NOT NULL,
        version_id integer NOT NULL,
        last_updated timestamptz NOT NULL,
        deleted boolean NOT NULL,
        search_tokens text[] NOT NULL DEFAULT '{}',
        PRIMARY KEY (resource_type, id)
      );
      -- identifier and patient searches, conditional create.
      CREATE INDEX fhir_resources_search_tokens ON fhir_resources USING gin (search_tokens);
      -- searches without criteria list a type's newest resources.
      CREATE INDEX fhir_resources_type_updated ON fhir_resources (resource_type, last_updated DESC) WHERE NOT deleted;
    `,
  },
];
