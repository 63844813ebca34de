/**
 * The subscription topics this server offers (R5 SubscriptionTopic, served to R4 clients as the
 * Subscriptions Backport IG describes: a Basic resource carrying the R5 elements as cross-version
 * extensions). Each topic names the Kafka stream that feeds it and the filters a Subscription may
 * set on it (`canFilterBy`).
 */
import type { Basic, Extension } from '@medplum/fhirtypes';
import { SUBSCRIPTION_TOPIC_BASE, type TopicRole } from '@oncoimg/fhir-events';

export const TOPIC_URL_BASE = SUBSCRIPTION_TOPIC_BASE;

/** What triggers a notification, as R5 `SubscriptionTopic.resourceTrigger.supportedInteraction` names it. */
export type TopicInteraction = 'create' | 'update' | 'delete';

export const FILTER_NAMES = ['patient', 'status', 'modality'] as const;
export type FilterName = (typeof FILTER_NAMES)[number];

export interface TopicDefinition {
  /** The id of the Basic / SubscriptionTopic resource; the last segment of `url`. */
  id: string;
  url: string;
  title: string;
  description: string;
  /** The focus resource of every notification of this topic. */
  resourceType: 'ServiceRequest' | 'ImagingStudy' | 'DiagnosticReport' | 'Observation';
  /** The Kafka stream that feeds it. */
  source: Extract<TopicRole, 'serviceRequest' | 'imagingStudy' | 'diagnosticReport' | 'timeline'>;
  interactions: readonly TopicInteraction[];
  filters: readonly { name: FilterName; description: string }[];
}

const PATIENT_FILTER = {
  name: 'patient',
  description: 'The patient key: Patient/{id} or the subject identifier as system|value',
} as const;

function statusFilter(resourceType: string) {
  return { name: 'status', description: `${resourceType}.status (comma-separated: any of)` } as const;
}

export const SUBSCRIPTION_TOPICS: readonly TopicDefinition[] = [
  {
    id: 'imaging-order',
    url: `${TOPIC_URL_BASE}/imaging-order`,
    title: 'Imaging order created or updated',
    description: 'An imaging ServiceRequest was created or updated.',
    resourceType: 'ServiceRequest',
    source: 'serviceRequest',
    interactions: ['create', 'update'],
    filters: [PATIENT_FILTER, statusFilter('ServiceRequest')],
  },
  {
    id: 'imaging-study',
    url: `${TOPIC_URL_BASE}/imaging-study`,
    title: 'Imaging study created or updated',
    description: 'An ImagingStudy was created or updated (new series or instances, status change).',
    resourceType: 'ImagingStudy',
    source: 'imagingStudy',
    interactions: ['create', 'update'],
    filters: [
      PATIENT_FILTER,
      statusFilter('ImagingStudy'),
      { name: 'modality', description: 'A DICOM modality code of the study or a series (CT, MR, PT, …)' },
    ],
  },
  {
    id: 'imaging-report',
    url: `${TOPIC_URL_BASE}/imaging-report`,
    title: 'Imaging report created, updated or made final',
    description:
      'A DiagnosticReport was created or updated; a report made final is an update with status final (filter status=final).',
    resourceType: 'DiagnosticReport',
    source: 'diagnosticReport',
    interactions: ['create', 'update'],
    filters: [PATIENT_FILTER, statusFilter('DiagnosticReport')],
  },
  {
    id: 'imaging-response',
    url: `${TOPIC_URL_BASE}/imaging-response`,
    title: 'Response assessment made, changed or withdrawn',
    description:
      "A response assessment on a patient's imaging timeline (an mCODE CancerDiseaseStatus Observation derived by software) was created, updated or withdrawn.",
    resourceType: 'Observation',
    source: 'timeline',
    interactions: ['create', 'update', 'delete'],
    filters: [PATIENT_FILTER, statusFilter('Observation')],
  },
];

export function topicByUrl(url: string): TopicDefinition | undefined {
  return SUBSCRIPTION_TOPICS.find((topic) => topic.url === url);
}

export function topicById(id: string): TopicDefinition | undefined {
  return SUBSCRIPTION_TOPICS.find((topic) => topic.id === id);
}

/** R5 elements carried on R4 resources (FHIR cross-version extensions). */
const R5 = 'http://hl7.org/fhir/5.0/StructureDefinition/extension-SubscriptionTopic';

function ext(name: string, value: Omit<Extension, 'url'>): Extension {
  return { url: `${R5}.${name}`, ...value };
}

function part(url: string, value: Omit<Extension, 'url'>): Extension {
  return { url, ...value };
}

/** The topic as the Backport IG publishes an R5 SubscriptionTopic on an R4 server: a Basic resource. */
export function basicTopic(topic: TopicDefinition): Basic {
  return {
    resourceType: 'Basic',
    id: topic.id,
    code: { coding: [{ system: 'http://hl7.org/fhir/fhir-types', code: 'SubscriptionTopic' }] },
    extension: [
      ext('url', { valueUri: topic.url }),
      ext('version', { valueString: '1' }),
      ext('name', { valueString: topic.id }),
      ext('title', { valueString: topic.title }),
      ext('status', { valueCode: 'active' }),
      ext('description', { valueMarkdown: topic.description }),
      ext('resourceTrigger', {
        extension: [
          part('description', { valueMarkdown: topic.description }),
          part('resource', { valueUri: `http://hl7.org/fhir/StructureDefinition/${topic.resourceType}` }),
          ...topic.interactions.map((code) => part('supportedInteraction', { valueCode: code })),
        ],
      }),
      ...topic.filters.map((filter) =>
        ext('canFilterBy', {
          extension: [
            part('description', { valueMarkdown: filter.description }),
            part('resource', { valueUri: topic.resourceType }),
            part('filterParameter', { valueString: filter.name }),
          ],
        }),
      ),
      ext('notificationShape', {
        extension: [part('resource', { valueUri: topic.resourceType })],
      }),
    ],
  };
}
