import type { CapabilityStatement } from '@medplum/fhirtypes';
import { MAX_SEARCH_COUNT } from '@oncoimg/store';

/** The search parameters `GET /fhir/{Type}` takes; anything else is refused with 400. */
export const SEARCH_PARAMETERS = ['identifier', 'patient', 'subject', '_count'] as const;

/** What every CapabilityStatement of this system's services starts with. */
export function capabilityHeader(): Pick<
  CapabilityStatement,
  'resourceType' | 'status' | 'date' | 'kind' | 'fhirVersion' | 'format'
> {
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: new Date().toISOString(),
    kind: 'instance',
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
  };
}

/** The CapabilityStatement of one intake service: exactly the interactions the router implements. */
export function capabilityStatement(
  resourceType: string,
  software: { name: string; version: string },
  url: string,
): CapabilityStatement {
  const searchParams = [
    { name: 'identifier', type: 'token' as const, documentation: 'system|value, or value alone' },
    {
      name: 'patient',
      type: 'reference' as const,
      documentation: 'patient key (system|value), Patient/{id} or id',
    },
    { name: 'subject', type: 'reference' as const, documentation: 'same as patient' },
    {
      name: '_count',
      type: 'number' as const,
      documentation: `page size, at most ${String(MAX_SEARCH_COUNT)}`,
    },
  ];
  return {
    ...capabilityHeader(),
    software,
    implementation: {
      description: `${software.name}: FHIR R4 intake of ${resourceType}, published to Kafka`,
      url,
    },
    rest: [
      {
        mode: 'server',
        resource: [
          {
            type: resourceType as 'ServiceRequest',
            versioning: 'versioned',
            readHistory: true,
            updateCreate: true,
            conditionalCreate: true,
            conditionalUpdate: false,
            conditionalDelete: 'not-supported',
            interaction: [
              'read',
              'vread',
              'update',
              'delete',
              'history-instance',
              'create',
              'search-type',
            ].map((code) => ({
              code: code as 'read',
            })),
            searchParam: searchParams,
          },
        ],
        interaction: [{ code: 'batch' }, { code: 'transaction' }],
      },
    ],
  };
}
