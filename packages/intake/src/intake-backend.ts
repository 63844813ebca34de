import type { ImagingResourceType } from '@oncoimg/fhir-events';
import { parseIfNoneExist, type FhirBackend } from '@oncoimg/fhir-http';
import type { ResourceRepository } from '@oncoimg/store';
import { processBundle } from './bundle.ts';
import type { IntakeWrites } from './intake-writes.ts';
import { validateIntake, type AnyIntakeRules } from './intake-rules.ts';

export interface IntakeBackendOptions {
  repository: ResourceRepository;
  writes: IntakeWrites;
  resourceType: ImagingResourceType;
  rules?: AnyIntakeRules;
}

/**
 * The FHIR router's view of an intake service: every write validated first (in the request, so
 * concurrent requests validate in parallel with the database's work), then stored and enqueued in
 * one transaction, shared with concurrent writes (group commit).
 */
export function createIntakeBackend({
  repository,
  writes,
  resourceType,
  rules,
}: IntakeBackendOptions): FhirBackend {
  const validate = (body: Record<string, unknown>) => validateIntake(body, resourceType, rules);
  return {
    resourceType,
    async create(body, { ifNoneExist, deadline }) {
      const resource = validate(body);
      return writes.writeOne(
        {
          method: 'create',
          resource,
          ...(ifNoneExist === undefined ? {} : { ifNoneExist: parseIfNoneExist(ifNoneExist) }),
        },
        deadline,
      );
    },
    async update(body, { ifMatch, deadline }) {
      return writes.writeOne({ method: 'update', resource: validate(body), ifMatch }, deadline);
    },
    delete: (id, { ifMatch, deadline }) =>
      writes.writeOne({ method: 'delete', type: resourceType, id, ifMatch }, deadline),
    read: (id) => repository.read(resourceType, id),
    vread: (id, versionId) => repository.vread(resourceType, id, versionId),
    history: (id) => repository.history(resourceType, id),
    search: (criteria) => repository.search(resourceType, criteria),
    bundle: (body, location, options) =>
      processBundle(body, { writes, resourceType, rules, location, deadline: options?.deadline }),
  };
}
