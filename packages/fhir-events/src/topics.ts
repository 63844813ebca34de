/** Default topic names of the event contract. Each can be overridden by configuration. */
export const DEFAULT_TOPICS = {
  serviceRequest: 'imaging.servicerequest.v1',
  imagingStudy: 'imaging.imagingstudy.v1',
  diagnosticReport: 'imaging.diagnosticreport.v1',
  timeline: 'imaging.timeline.v1',
  /** FHIR AuditEvents of every service (who read or wrote which patient's data), keyed by patient key. */
  audit: 'imaging.audit.v1',
} as const;

export type TopicRole = keyof typeof DEFAULT_TOPICS;
export type TopicNames = Record<TopicRole, string>;

/** Suffix of every dead-letter topic: `imaging.timeline.v1` → `imaging.timeline.v1.dlq`. */
export const DEAD_LETTER_SUFFIX = '.dlq';

export function deadLetterTopicFor(topic: string): string {
  return `${topic}${DEAD_LETTER_SUFFIX}`;
}

/** Topic names with overrides applied; an override must be a legal Kafka topic name. */
export function resolveTopics(overrides: Partial<TopicNames> = {}): TopicNames {
  const topics = { ...DEFAULT_TOPICS, ...overrides };
  for (const [role, name] of Object.entries(topics)) {
    if (!/^[a-zA-Z0-9._-]{1,249}$/.test(name)) {
      throw new Error(`topic name for ${role} is not a legal Kafka topic name: ${JSON.stringify(name)}`);
    }
  }
  return topics;
}

/** Every topic the system owns, dead-letter topics included: the registry the contract documents. */
export function allTopics(topics: TopicNames = DEFAULT_TOPICS): string[] {
  const base = [
    topics.serviceRequest,
    topics.imagingStudy,
    topics.diagnosticReport,
    topics.timeline,
    topics.audit,
  ];
  return [...base, ...base.map(deadLetterTopicFor)];
}
