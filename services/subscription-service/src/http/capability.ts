import type { CapabilityStatement, CapabilityStatementRestSecurity } from '@medplum/fhirtypes';
import { capabilityHeader } from '@oncoimg/fhir-http';
import { BACKPORT_SUBSCRIPTION_PROFILE } from '../domain/subscription-spec.ts';
import { SUBSCRIPTION_TOPICS } from '../domain/topics.ts';

/** What this server implements: the Backport IG's R4 server capabilities, rest-hook only. */
export async function capabilityStatementOf(
  url: string,
  security?: () => Promise<CapabilityStatementRestSecurity>,
): Promise<CapabilityStatement> {
  return {
    ...capabilityHeader(),
    implementation: { description: 'oncoimg subscription service (Subscriptions R5 Backport for R4)', url },
    instantiates: [
      'http://hl7.org/fhir/uv/subscriptions-backport/CapabilityStatement/backport-subscription-server-r4',
    ],
    rest: [
      {
        mode: 'server',
        ...(security ? { security: await security() } : {}),
        resource: [
          {
            type: 'Subscription',
            supportedProfile: [BACKPORT_SUBSCRIPTION_PROFILE],
            interaction: ['create', 'read', 'update', 'delete', 'search-type'].map((code) => ({
              code: code as 'read',
            })),
            searchParam: [
              { name: 'criteria', type: 'uri', documentation: 'the topic URL' },
              { name: 'status', type: 'token' },
            ],
            operation: [
              {
                name: 'status',
                definition:
                  'http://hl7.org/fhir/uv/subscriptions-backport/OperationDefinition/backport-subscription-status',
              },
              {
                name: 'events',
                definition:
                  'http://hl7.org/fhir/uv/subscriptions-backport/OperationDefinition/backport-subscription-events',
              },
            ],
            extension: SUBSCRIPTION_TOPICS.map((topic) => ({
              url: 'http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/capabilitystatement-subscriptiontopic-canonical',
              valueCanonical: topic.url,
            })),
          },
          { type: 'Basic', interaction: [{ code: 'read' }, { code: 'search-type' }] },
        ],
      },
    ],
  };
}
