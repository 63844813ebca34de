import type { Bundle, ImagingStudy, OperationOutcome } from '@medplum/fhirtypes';
import { createIntakeService, type IntakeService } from '@oncoimg/intake';
import { ensureTopics } from '@oncoimg/kafka';
import type { Database } from '@oncoimg/store';
import {
  authFetch,
  DiagnosticChestCtStudy,
  fixturesAvailable,
  openTestDatabase,
  readTopic,
  testAuth,
  testDatabaseTargets,
  testKafkaBrokers,
  type TopicReader,
  uniqueName,
} from '@oncoimg/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addDicomUpload } from './dicom-upload.route.ts';
import { imagingStudyIntakeRules } from './imaging-study.intake-rules.ts';
import { readDicomFixture } from './dicom/test-dicom-files.fixtures.ts';

const brokers = testKafkaBrokers();
const CT_STUDY_FILES = ['CT2/17106', 'CT2/17136', 'CT2/17166', 'CT2/17196'].map(
  (name) => `study-77654033/${name}.dcm`,
);

function multipartRelated(files: readonly Buffer[], boundary = 'dicom-boundary-7c1e'): Buffer {
  const parts = files.flatMap((file) => [
    Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`),
    file,
    Buffer.from('\r\n'),
  ]);
  return Buffer.concat([...parts, Buffer.from(`--${boundary}--\r\n`)]);
}

describe.each(testDatabaseTargets())('POST /dicom/studies on real Kafka and $name', (target) => {
  let db: Database;
  let service: IntakeService;
  let base: string;
  let reader: TopicReader;
  let topic: string;

  beforeEach(async () => {
    topic = uniqueName('dicom');
    await ensureTopics({ brokers, topics: [topic], numPartitions: 1 });
    db = await openTestDatabase(target);
    service = createIntakeService({
      access: (await testAuth()).access,
      name: 'study-service',
      resourceType: 'ImagingStudy',
      rules: imagingStudyIntakeRules,
      db,
      brokers,
      topics: { imagingStudy: topic, audit: `${topic}.audit` },
      extend: addDicomUpload,
    });
    const { port } = await service.start();
    base = `http://127.0.0.1:${String(port)}`;
    reader = await readTopic(brokers, topic);
  });

  afterEach(async () => {
    await reader.stop();
    await service.stop();
    await db.close();
  });

  function upload(body: Buffer, contentType: string): Promise<Response> {
    return authFetch(`${base}/dicom/studies`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: new Uint8Array(body),
    });
  }

  async function outboxRows(): Promise<number> {
    const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM outbox WHERE topic = $1', [
      topic,
    ]);
    return Number(rows.at(0)?.n ?? 0);
  }

  it('requires the Study Instance UID on FHIR intake too', async () => {
    const { meta: _meta, ...study } = DiagnosticChestCtStudy;
    const post = (body: unknown) =>
      authFetch(`${base}/fhir/ImagingStudy`, {
        method: 'POST',
        headers: { 'content-type': 'application/fhir+json' },
        body: JSON.stringify(body),
      });
    const res = await post({
      ...study,
      identifier: study.identifier?.filter((i) => i.system !== 'urn:dicom:uid'),
    });
    expect(res.status).toBe(400);
    const ok = await post(study);
    expect(ok.status).toBe(201);
    expect(((await ok.json()) as ImagingStudy).identifier).toEqual(study.identifier);
  });

  it.runIf(fixturesAvailable())(
    'turns one CT file into an ImagingStudy, stores it and publishes it keyed by the patient',
    async () => {
      const res = await upload(readDicomFixture('CT_small.dcm'), 'application/dicom');
      expect(res.status).toBe(201);
      const bundle = (await res.json()) as Bundle<ImagingStudy>;
      const study = bundle.entry?.at(0)?.resource;
      expect(bundle.entry?.at(0)?.response?.status).toBe('201 Created');
      expect(study?.series?.at(0)?.modality.code).toBe('CT');
      expect(study?.identifier?.some((i) => i.system === 'urn:dicom:uid')).toBe(true);

      const read = await authFetch(`${base}/fhir/ImagingStudy/${study?.id ?? ''}`);
      expect(read.status).toBe(200);
      expect(((await read.json()) as ImagingStudy).numberOfInstances).toBe(1);

      const event = (await reader.waitFor(1)).at(0);
      expect(event?.headers.ce_type).toBe('imaging.imagingstudy.created');
      expect(event?.key).toBeTruthy();
    },
  );

  it.runIf(fixturesAvailable())(
    'groups a multipart/related series into one study, and later uploads add to that study',
    async () => {
      const files = CT_STUDY_FILES.map((name) => readDicomFixture(name));
      const first = files.slice(0, 1);
      const rest = files.slice(1);
      const contentType = 'multipart/related; type="application/dicom"; boundary=dicom-boundary-7c1e';

      const initial = await upload(multipartRelated(rest), contentType);
      expect(initial.status).toBe(201);
      const created = (await initial.json()) as Bundle<ImagingStudy>;
      expect(created.entry).toHaveLength(1);
      expect(created.entry?.at(0)?.resource?.numberOfInstances).toBe(3);

      const added = await upload(multipartRelated(first), contentType);
      expect(added.status).toBe(200);
      const updated = (await added.json()) as Bundle<ImagingStudy>;
      const study = updated.entry?.at(0)?.resource;
      expect(study?.id).toBe(created.entry?.at(0)?.resource?.id);
      expect(study?.meta?.versionId).toBe('2');
      expect(study?.numberOfInstances).toBe(4);

      const events = await reader.waitFor(2);
      expect(events.map((e) => e.headers.ce_type)).toEqual([
        'imaging.imagingstudy.created',
        'imaging.imagingstudy.updated',
      ]);
    },
  );

  it.runIf(fixturesAvailable()).each([
    ['a truncated file', 'invalid/MR_truncated.dcm'],
    ['a file without its Part-10 meta header', 'invalid/no_meta.dcm'],
    ['an SR without a Patient ID', 'test-SR.dcm'],
  ])('answers %s with a 4xx OperationOutcome and stores nothing', async (_label, name) => {
    const res = await upload(readDicomFixture(name), 'application/dicom');
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    const outcome = (await res.json()) as OperationOutcome;
    expect(outcome.resourceType).toBe('OperationOutcome');
    expect(outcome.issue.at(0)?.diagnostics ?? outcome.issue.at(0)?.details?.text).toBeTruthy();
    expect(await outboxRows()).toBe(0);
  });

  it.runIf(fixturesAvailable())(
    'answers a broken multipart body and a wrong content type with 4xx',
    async () => {
      const noBoundary = await upload(
        Buffer.from('--x\r\n\r\n'),
        'multipart/related; type="application/dicom"',
      );
      expect(noBoundary.status).toBe(400);
      const wrongType = await upload(readDicomFixture('CT_small.dcm'), 'image/png');
      expect(wrongType.status).toBe(415);
      expect(await outboxRows()).toBe(0);
    },
  );
});
