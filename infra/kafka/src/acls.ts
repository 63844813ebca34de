/**
 * The local broker's access control list: what each principal may do, granted at every start
 * (creating an ACL that exists is a no-op). The broker denies everything not granted here
 * (`allow.everyone.if.no.acl.found=false`); `admin` is a super user and needs no grant.
 */
import { DEFAULT_TOPICS, deadLetterTopicFor } from '@oncoimg/fhir-events';
import kafkajs, { type Admin, type AclEntry } from 'kafkajs';
import type { Principal } from './credentials.ts';

// Node's ESM loader cannot see these exports of kafkajs (CommonJS): read them from the module object.
const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } = kafkajs;

/** The audit trail's topic: every service records AuditEvents there. */
export const AUDIT_TOPIC = DEFAULT_TOPICS.audit;

type Operation = 'READ' | 'WRITE' | 'CREATE' | 'DESCRIBE' | 'DESCRIBE_CONFIGS' | 'DELETE';

export interface Grant {
  principal: Exclude<Principal, 'admin'>;
  resource: 'TOPIC' | 'GROUP';
  /** `*` for every resource of the type. */
  name: string;
  pattern: 'LITERAL' | 'PREFIXED';
  operations: Operation[];
}

/**
 * A producer creates its topic when missing (ensureTopics: Create, Describe) and sizes its sends
 * from the topic's `max.message.bytes` (DescribeConfigs). An idempotent producer needs no
 * IdempotentWrite on the cluster since Kafka 3.2 (KIP-679): Write on a topic is enough.
 */
const PRODUCE: Operation[] = ['WRITE', 'DESCRIBE', 'CREATE', 'DESCRIBE_CONFIGS'];

function produces(principal: Grant['principal'], topics: string[]): Grant[] {
  return topics.map((name) => ({
    principal,
    resource: 'TOPIC',
    name,
    pattern: 'LITERAL',
    operations: PRODUCE,
  }));
}

/**
 * A consumer reads its topics and creates them when it starts before their producer (subscribing
 * to a missing topic fails).
 */
function reads(principal: Grant['principal'], topics: string[]): Grant[] {
  return topics.map((name) => ({
    principal,
    resource: 'TOPIC',
    name,
    pattern: 'LITERAL',
    operations: ['READ', 'DESCRIBE', 'CREATE'],
  }));
}

const INTAKE_TOPICS = [
  DEFAULT_TOPICS.serviceRequest,
  DEFAULT_TOPICS.imagingStudy,
  DEFAULT_TOPICS.diagnosticReport,
];

/** The grants of the default topic names and group ids; renamed topics need grants of their own. */
export function localGrants(): Grant[] {
  return [
    ...produces('order-service', [DEFAULT_TOPICS.serviceRequest, AUDIT_TOPIC]),
    ...produces('study-service', [DEFAULT_TOPICS.imagingStudy, AUDIT_TOPIC]),
    ...produces('report-service', [DEFAULT_TOPICS.diagnosticReport, AUDIT_TOPIC]),
    // The timeline service reads the intake topics (and creates them when it starts first, so it can
    // subscribe), and writes its timeline, the dead letters of its inputs and the audit trail.
    ...reads('timeline-service', INTAKE_TOPICS),
    ...produces('timeline-service', [
      DEFAULT_TOPICS.timeline,
      ...INTAKE_TOPICS.map(deadLetterTopicFor),
      AUDIT_TOPIC,
      deadLetterTopicFor(AUDIT_TOPIC),
    ]),
    // Its audit trail consumer reads every service's AuditEvents (GET /fhir/AuditEvent).
    {
      principal: 'timeline-service',
      resource: 'TOPIC',
      name: AUDIT_TOPIC,
      pattern: 'LITERAL',
      operations: ['READ'],
    },
    // `oncoimg-timeline-service` and its audit consumer's `oncoimg-timeline-service.audit`.
    {
      principal: 'timeline-service',
      resource: 'GROUP',
      name: 'oncoimg-timeline-service',
      pattern: 'PREFIXED',
      operations: ['READ', 'DESCRIBE'],
    },
    // `npm run timeline:rebuild` reads the inputs again under a group of its own.
    {
      principal: 'timeline-service',
      resource: 'GROUP',
      name: 'timeline-rebuild-',
      pattern: 'PREFIXED',
      operations: ['READ', 'DESCRIBE', 'DELETE'],
    },
    // The subscription service reads the four streams Subscriptions are fed from (creating them when
    // it starts first, so it can subscribe), under its own group, dead-letters what it cannot read,
    // and writes the audit trail of its API.
    ...reads('subscription-service', [...INTAKE_TOPICS, DEFAULT_TOPICS.timeline]),
    ...produces('subscription-service', [
      ...[...INTAKE_TOPICS, DEFAULT_TOPICS.timeline].map(deadLetterTopicFor),
      AUDIT_TOPIC,
    ]),
    {
      principal: 'subscription-service',
      resource: 'GROUP',
      name: 'oncoimg-subscription-service',
      pattern: 'PREFIXED',
      operations: ['READ', 'DESCRIBE'],
    },
    // The operator CLI reads every topic and every group's lag, and writes only to the system's own
    // topics (`publish`, `dlq redrive`), under groups of its own.
    {
      principal: 'tools',
      resource: 'TOPIC',
      name: '*',
      pattern: 'LITERAL',
      operations: ['READ', 'DESCRIBE', 'DESCRIBE_CONFIGS'],
    },
    { principal: 'tools', resource: 'TOPIC', name: 'imaging.', pattern: 'PREFIXED', operations: ['WRITE'] },
    { principal: 'tools', resource: 'GROUP', name: '*', pattern: 'LITERAL', operations: ['DESCRIBE'] },
    {
      principal: 'tools',
      resource: 'GROUP',
      name: 'oncoimg-cli-',
      pattern: 'PREFIXED',
      operations: ['READ', 'DELETE'],
    },
    {
      principal: 'tools',
      resource: 'GROUP',
      name: 'oncoimg-dlq-redrive',
      pattern: 'PREFIXED',
      operations: ['READ'],
    },
    // examples/timeline-consumer, run locally as tools; a real downstream system gets its own principal.
    {
      principal: 'tools',
      resource: 'GROUP',
      name: 'oncoimg-timeline-consumer',
      pattern: 'PREFIXED',
      operations: ['READ'],
    },
  ];
}

export function aclEntries(grants: Grant[]): AclEntry[] {
  return grants.flatMap((grant) =>
    grant.operations.map((operation) => ({
      resourceType: AclResourceTypes[grant.resource],
      resourceName: grant.name,
      resourcePatternType: ResourcePatternTypes[grant.pattern],
      principal: `User:${grant.principal}`,
      host: '*',
      operation: AclOperationTypes[operation],
      permissionType: AclPermissionTypes.ALLOW,
    })),
  );
}

/** Grants what `localGrants` lists; run by the super user at every start (idempotent). */
export async function applyLocalAcls(admin: Admin): Promise<number> {
  const acl = aclEntries(localGrants());
  await admin.createAcls({ acl });
  return acl.length;
}

const ACL_TOOL_OPERATIONS: Record<Operation, string> = {
  READ: 'Read',
  WRITE: 'Write',
  CREATE: 'Create',
  DESCRIBE: 'Describe',
  DESCRIBE_CONFIGS: 'DescribeConfigs',
  DELETE: 'Delete',
};

/**
 * The same grants as arguments of Kafka's `kafka-acls.sh --add`, one grant a line: the
 * docker-compose stack applies them with the broker image's own tools (a test keeps the two equal).
 */
export function kafkaAclsArguments(grants: Grant[]): string[] {
  return grants.map((grant) =>
    [
      `--allow-principal User:${grant.principal}`,
      ...grant.operations.map((operation) => `--operation ${ACL_TOOL_OPERATIONS[operation]}`),
      ...(grant.pattern === 'PREFIXED' ? ['--resource-pattern-type prefixed'] : []),
      `--${grant.resource.toLowerCase()} '${grant.name}'`,
    ].join(' '),
  );
}
