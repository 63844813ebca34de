import { describe, expect, test } from 'vitest';
import { buildTimeline } from '../build-timeline.ts';
import { applyEvent } from '../records/patient-records.ts';
import {
  AccessionTwoFirstOrder,
  AccessionTwoFirstPatient,
  AccessionTwoFirstStudy,
  AccessionTwoSecondOrder,
  AccessionTwoSecondPatient,
  AccessionTwoSecondStudy,
  PERSONA_PLACER_SYSTEM,
  accessionIdentifier,
  nextVersion,
  personaEvent,
  personaEvents,
  recordsFrom,
  studyUidIdentifier,
  timelineFrom,
} from '../timeline.fixtures.ts';
import { timelineOf, order, study } from './link-exams.fixtures.ts';

describe('order ↔ study', () => {
  test('an order and a study with the same accession number are one exam, with the accession as evidence', () => {
    const timeline = timelineOf(order('o1', { accession: 'A1' }), study('s1', { accession: 'A1' }));
    expect(timeline.exams).toHaveLength(1);
    expect(timeline.exams[0]).toMatchObject({
      examId: 'ServiceRequest/o1',
      order: { id: 'o1' },
      study: { id: 's1' },
      status: 'performed',
    });
    expect(timeline.exams[0]?.links).toEqual([
      {
        link: 'order-study',
        from: 'ImagingStudy/s1',
        to: 'ServiceRequest/o1',
        evidence: [
          {
            kind: 'accession',
            value: 'A1',
            issuer: 'https://ris.oncoimg.example.org/fhir/sid/accession',
            scope: 'patient',
          },
        ],
      },
    ]);
  });

  test('the same accession number under two different issuers does not link', () => {
    const timeline = timelineOf(
      order('o1', { accession: '2', accessionIssuer: 'https://ris-a.example.org' }),
      study('s1', { accession: '2', accessionIssuer: 'https://ris-b.example.org' }),
    );
    expect(timeline.exams.map((e) => e.examId)).toEqual(['ServiceRequest/o1', 'ImagingStudy/s1']);
    expect(timeline.ambiguous).toEqual([]);
  });

  test('the same issuer on both sides links with issuer scope', () => {
    const timeline = timelineOf(
      order('o1', { accession: '2', accessionIssuer: 'https://ris-a.example.org' }),
      study('s1', { accession: '2', accessionIssuer: 'https://ris-a.example.org' }),
    );
    expect(timeline.exams[0]?.links[0]?.evidence).toEqual([
      { kind: 'accession', value: '2', issuer: 'https://ris-a.example.org', scope: 'issuer' },
    ]);
  });

  test('accession "2" of two patients links each study to its own patient’s order only', () => {
    const first = timelineFrom(
      AccessionTwoFirstPatient.key,
      personaEvents([AccessionTwoFirstOrder, AccessionTwoFirstStudy], AccessionTwoFirstPatient.key),
    );
    const second = timelineFrom(
      AccessionTwoSecondPatient.key,
      personaEvents([AccessionTwoSecondOrder, AccessionTwoSecondStudy], AccessionTwoSecondPatient.key),
    );
    expect(first.exams.map((e) => [e.order?.id, e.study?.id])).toEqual([['ar1-order', 'ar1-study']]);
    expect(second.exams.map((e) => [e.order?.id, e.study?.id])).toEqual([['ar2-order', 'ar2-study']]);
  });

  test('a resource whose latest version names another patient is not on this patient’s timeline', () => {
    const misrouted = personaEvents([AccessionTwoSecondStudy], AccessionTwoFirstPatient.key);
    const records = recordsFrom(AccessionTwoFirstPatient.key, [
      ...personaEvents([AccessionTwoFirstOrder, AccessionTwoFirstStudy], AccessionTwoFirstPatient.key),
      ...misrouted,
    ]);
    const timeline = buildTimeline(records);
    expect(timeline.exams.map((e) => e.study?.id)).toEqual(['ar1-study']);
    expect(timeline.ambiguous).toEqual([]);
  });

  test('a study moved to another patient leaves the first patient’s timeline and its order waits again', () => {
    const moved = nextVersion(AccessionTwoFirstStudy, '2024-03-03T00:00:00Z', {
      subject: { type: 'Patient', identifier: { ...AccessionTwoSecondPatient.identifier } },
    });
    let records = recordsFrom(
      AccessionTwoFirstPatient.key,
      personaEvents([AccessionTwoFirstOrder, AccessionTwoFirstStudy], AccessionTwoFirstPatient.key),
    );
    records = applyEvent(records, personaEvent(moved, { patientKey: AccessionTwoSecondPatient.key })).records;
    const timeline = buildTimeline(records);
    expect(timeline.exams.map((e) => [e.examId, e.status])).toEqual([
      ['ServiceRequest/ar1-order', 'ordered'],
    ]);
    expect(timeline.pending.ordered).toEqual(['ServiceRequest/ar1-order']);
  });

  test('a study naming its order in basedOn links without any accession number', () => {
    const timeline = timelineOf(order('o1'), study('s1', { basedOn: { order: 'o1' } }));
    expect(timeline.exams).toHaveLength(1);
    expect(timeline.exams[0]?.links[0]?.evidence).toEqual([{ kind: 'basedOn', value: 'ServiceRequest/o1' }]);
  });

  test('a study naming its order by placer number links by that identifier', () => {
    const timeline = timelineOf(
      order('o1', { placerNumber: 'P-77' }),
      study('s1', { basedOn: { identifier: { system: PERSONA_PLACER_SYSTEM, value: 'P-77' } } }),
    );
    expect(timeline.exams[0]?.links[0]?.evidence).toEqual([
      { kind: 'basedOn', value: `${PERSONA_PLACER_SYSTEM}|P-77` },
    ]);
  });

  test('an accession number carried in basedOn counts as the study’s accession number', () => {
    const timeline = timelineOf(
      order('o1', { accession: 'A9' }),
      study('s1', { basedOn: { identifier: accessionIdentifier('A9', null) } }),
    );
    expect(timeline.exams[0]?.links[0]?.evidence).toEqual([
      {
        kind: 'accession',
        value: 'A9',
        issuer: 'https://ris.oncoimg.example.org/fhir/sid/accession',
        scope: 'patient',
      },
    ]);
  });

  test('a Study UID the RIS assigned on the order links the study', () => {
    const withUid = { ...order('o1'), identifier: [studyUidIdentifier('2.25.91')] };
    const timeline = timelineOf(withUid, study('s1'));
    expect(timeline.exams[0]?.links[0]?.evidence).toEqual([{ kind: 'study-uid', value: '2.25.91' }]);
  });

  test('accession and basedOn that agree are both recorded as evidence', () => {
    const timeline = timelineOf(
      order('o1', { accession: 'A1' }),
      study('s1', { accession: 'A1', basedOn: { order: 'o1' } }),
    );
    expect(timeline.exams[0]?.links[0]?.evidence.map((e) => e.kind)).toEqual(['accession', 'basedOn']);
  });

  test('a study whose accession matches two orders is ambiguous, shows both, and links to neither', () => {
    const timeline = timelineOf(
      order('o1', { accession: 'A1' }),
      order('o2', { accession: 'A1' }),
      study('s1', { accession: 'A1' }),
    );
    expect(timeline.exams.map((e) => e.examId)).toEqual([
      'ServiceRequest/o1',
      'ServiceRequest/o2',
      'ImagingStudy/s1',
    ]);
    const onStudy = timeline.ambiguous.find((a) => a.part === 'ImagingStudy/s1');
    expect(onStudy).toMatchObject({
      examId: 'ImagingStudy/s1',
      link: 'order-study',
      reason: 'several-candidates',
    });
    expect(onStudy?.candidates.map((c) => c.reference)).toEqual(['ServiceRequest/o1', 'ServiceRequest/o2']);
    expect(
      timeline.ambiguous.filter((a) => a.part.startsWith('ServiceRequest/')).map((a) => a.reason),
    ).toEqual(['shared-candidate', 'shared-candidate']);
  });

  test('two studies claiming one order are both ambiguous, and so is the order', () => {
    const timeline = timelineOf(
      order('o1', { accession: 'A1' }),
      study('s1', { accession: 'A1' }),
      study('s2', { accession: 'A1' }),
    );
    expect(timeline.exams.every((e) => e.links.length === 0)).toBe(true);
    const onOrder = timeline.ambiguous.find((a) => a.part === 'ServiceRequest/o1');
    expect(onOrder?.reason).toBe('several-candidates');
    expect(onOrder?.candidates.map((c) => c.reference)).toEqual(['ImagingStudy/s1', 'ImagingStudy/s2']);
    expect(timeline.ambiguous.filter((a) => a.part.startsWith('ImagingStudy/')).map((a) => a.reason)).toEqual(
      ['shared-candidate', 'shared-candidate'],
    );
  });

  test('an accession pointing at one order and basedOn at another is conflicting evidence', () => {
    const timeline = timelineOf(
      order('o1', { accession: 'A1' }),
      order('o2'),
      study('s1', { accession: 'A1', basedOn: { order: 'o2' } }),
    );
    const onStudy = timeline.ambiguous.find((a) => a.part === 'ImagingStudy/s1');
    expect(onStudy?.reason).toBe('conflicting-evidence');
    expect(onStudy?.candidates).toEqual([
      {
        reference: 'ServiceRequest/o1',
        examId: 'ServiceRequest/o1',
        evidence: [expect.objectContaining({ kind: 'accession', value: 'A1' })],
      },
      {
        reference: 'ServiceRequest/o2',
        examId: 'ServiceRequest/o2',
        evidence: [{ kind: 'basedOn', value: 'ServiceRequest/o2' }],
      },
    ]);
  });

  test('a study whose basedOn order never arrived is unmatched, saying what it looked for', () => {
    const timeline = timelineOf(study('s1', { accession: 'A5', basedOn: { order: 'missing' } }));
    expect(timeline.unmatched).toEqual([
      {
        examId: 'ImagingStudy/s1',
        part: 'ImagingStudy/s1',
        link: 'order-study',
        reason: 'not-received',
        lookedFor: [
          { kind: 'basedOn', value: 'ServiceRequest/missing' },
          { kind: 'accession', value: 'A5', issuer: null },
        ],
      },
    ]);
  });

  test('a study with only an accession number and no order is simply a study, not an error', () => {
    const timeline = timelineOf(study('s1', { accession: 'A5' }));
    expect(timeline.exams[0]).toMatchObject({ examId: 'ImagingStudy/s1', status: 'performed' });
    expect(timeline.unmatched).toEqual([]);
  });
});
