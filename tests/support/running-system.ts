/**
 * The whole system in one test process: the three intake services and the timeline service, each
 * with its own database, on fresh topics of the real broker. Services talk only through Kafka, as
 * they do when deployed; only the test sees all four.
 */
import type { ImagingResourceType, TopicNames } from '@oncoimg/fhir-events';
import { createIntakeService, type AnyIntakeRules, type IntakeService } from '@oncoimg/intake';
import { ensureTopics } from '@oncoimg/kafka';
import { openDatabase, type Database } from '@oncoimg/store';
import {
  authFetch,
  type DatabaseTarget,
  openTestDatabase,
  testAuth,
  testKafkaBrokers,
  testKafkaSecurity,
  uniqueName,
  uniqueTopics,
} from '@oncoimg/testing';

import { serviceRequestIntakeRules } from '../../services/order-service/src/service-request.intake-rules.ts';
import { diagnosticReportIntakeRules } from '../../services/report-service/src/diagnostic-report.intake-rules.ts';
import { addDicomUpload } from '../../services/study-service/src/dicom-upload.route.ts';
import { imagingStudyIntakeRules } from '../../services/study-service/src/imaging-study.intake-rules.ts';
import {
  createTimelineService,
  type TimelineService,
  type TimelineServiceOptions,
} from '../../services/timeline-service/src/timeline-service.ts';

export { eventually } from '@oncoimg/testing';

/** Each intake service's own rules, as its main.ts passes them. */
const INTAKE_RULES: Record<ImagingResourceType, AnyIntakeRules> = {
  ServiceRequest: serviceRequestIntakeRules,
  ImagingStudy: imagingStudyIntakeRules,
  DiagnosticReport: diagnosticReportIntakeRules,
};

export interface RunningSystem {
  topics: TopicNames;
  orderBase: string;
  studyBase: string;
  reportBase: string;
  timelineBase: string;
  timeline: TimelineService;
  stop(): Promise<void>;
}

export interface StartSystemOptions {
  database?: DatabaseTarget;
  /** Static files of the web page, served by the timeline service at `/`. */
  webRoot?: string;
  unreportedAfterMs?: number;
  /** The page's sign-in, its provider's access check, and the port its redirect URI names. */
  timeline?: Partial<Pick<TimelineServiceOptions, 'port' | 'pageSignIn' | 'access'>>;
}

async function openServiceDatabase(target: DatabaseTarget | undefined, service: string): Promise<Database> {
  // Every service needs a store of its own: the file's shared PGlite instance would be one store
  // for all four, so PGlite gets an instance per service; a server gets a fresh schema per service.
  if (!target?.url) {
    return openDatabase({ schema: service });
  }
  return openTestDatabase(target);
}

export async function startSystem({
  database,
  webRoot,
  unreportedAfterMs = 0,
  timeline: timelineOptions = {},
}: StartSystemOptions = {}): Promise<RunningSystem> {
  const brokers = testKafkaBrokers();
  const security = testKafkaSecurity();
  const topics = uniqueTopics('e2e');
  await ensureTopics({ brokers, security, topics: Object.values(topics), numPartitions: 3 });

  const databases: Database[] = [];
  const intakes: IntakeService[] = [];
  const intake = async (name: string, resourceType: ImagingResourceType): Promise<string> => {
    const db = await openServiceDatabase(database, name.replace('-', '_'));
    databases.push(db);
    const service = createIntakeService({
      access: (await testAuth()).access,
      name,
      resourceType,
      rules: INTAKE_RULES[resourceType],
      db,
      brokers,
      kafkaSecurity: security,
      port: 0,
      topics,
      ...(resourceType === 'ImagingStudy' ? { extend: addDicomUpload } : {}),
    });
    intakes.push(service);
    const { port } = await service.start();
    return `http://127.0.0.1:${String(port)}/fhir`;
  };

  const timelineDb = await openServiceDatabase(database, 'timeline_service');
  databases.push(timelineDb);
  const timeline = createTimelineService({
    access: (await testAuth()).access,
    db: timelineDb,
    brokers,
    kafkaSecurity: security,
    port: 0,
    topics,
    groupId: uniqueName('timeline'),
    unreportedAfterMs,
    ...(webRoot ? { webRoot } : {}),
    ...timelineOptions,
  });
  const [orderBase, studyBase, reportBase, { port: timelinePort }] = await Promise.all([
    intake('order-service', 'ServiceRequest'),
    intake('study-service', 'ImagingStudy'),
    intake('report-service', 'DiagnosticReport'),
    timeline.start(),
  ]);

  return {
    topics,
    orderBase,
    studyBase,
    reportBase,
    timelineBase: `http://127.0.0.1:${String(timelinePort)}`,
    timeline,
    async stop() {
      await Promise.allSettled([timeline.stop(), ...intakes.map((service) => service.stop())]);
      await Promise.allSettled(databases.map((db) => db.close()));
    },
  };
}

const SERVICE_OF: Record<
  ImagingResourceType,
  keyof Pick<RunningSystem, 'orderBase' | 'studyBase' | 'reportBase'>
> = {
  ServiceRequest: 'orderBase',
  ImagingStudy: 'studyBase',
  DiagnosticReport: 'reportBase',
};

/** How often a PUT answered 503 is tried again before the test fails. */
const OVERLOAD_RETRIES = 10;

/** PUTs a resource to the service that owns its type, as the EHR, PACS or RIS would. */
export async function putResource(
  system: RunningSystem,
  resource: { resourceType: ImagingResourceType; id?: string; meta?: unknown },
): Promise<Response> {
  const { meta: _meta, ...body } = resource;
  const put = (): Promise<Response> =>
    authFetch(`${system[SERVICE_OF[resource.resourceType]]}/${resource.resourceType}/${resource.id ?? ''}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/fhir+json' },
      body: JSON.stringify(body),
    });
  let res = await put();
  // As a real EHR would: a 503 with Retry-After (admission control on a busy machine) is tried again.
  for (let attempt = 1; res.status === 503 && attempt <= OVERLOAD_RETRIES; attempt += 1) {
    const seconds = Number(res.headers.get('retry-after') ?? '1');
    await res.arrayBuffer();
    await new Promise((resolve) => setTimeout(resolve, (Number.isFinite(seconds) ? seconds : 1) * 1000));
    res = await put();
  }
  if (res.status >= 300) {
    throw new Error(
      `PUT ${resource.resourceType}/${resource.id ?? ''} answered ${String(res.status)}: ${await res.text()}`,
    );
  }
  return res;
}
