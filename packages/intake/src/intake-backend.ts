import type { ImagingResourceType } from '@oncoimg/fhir-events';
import type { FhirBackend } from '@oncoimg/fhir-http';
import type { Database, ResourceRepository } from '@oncoimg/store';
import { processBundle } from './bundle.ts';
import { validateIntake, type AnyIntakeRules } from './intake-rules.ts';
import type { ResourceWriter } from './resource-writer.ts';

export interface IntakeBackendOptions {
  db: Database;
  repository: ResourceRepository;
  writer: ResourceWriter;
  resourceType: ImagingResourceType;
  rules?: AnyIntakeRules;
}

/** The FHIR router's view of an intake service: every write validated, stored and enqueued in one transaction. */
export function createIntakeBackend({
  db,
  repository,
  writer,
  resourceType,
  rules,
}: IntakeBackendOptions): FhirBackend {
  const validate = (body: Record<string, unknown>) => validateIntake(body, resourceType, rules);
  return {
    resourceType,
    async create(body, { ifNoneExist }) {
      const resource = validate(body);
      return db.transaction((tx) => writer.create(tx, resource, { ifNoneExist }));
    },
    async update(body, { ifMatch }) {
      const resource = validate(body);
      return db.transaction((tx) => writer.update(tx, resource, { ifMatch }));
    },
    delete: (id, { ifMatch }) => db.transaction((tx) => writer.delete(tx, id, { ifMatch })),
    read: (id) => repository.read(resourceType, id),
    vread: (id, versionId) => repository.vread(resourceType, id, versionId),
    history: (id) => repository.history(resourceType, id),
    search: (criteria) => repository.search(resourceType, criteria),
    bundle: (body, location) => processBundle(body, { db, writer, resourceType, rules, location }),
  };
}
