import { describe, expect, test } from 'vitest';
import { PERSONA_PLACER_SYSTEM } from '../timeline.fixtures.ts';
import { timelineOf, order, study, report } from './link-exams.fixtures.ts';

describe('report → exam', () => {
  const linked = [
    order('o1', { accession: 'A1', placerNumber: 'P-1' }),
    study('s1', { accession: 'A1' }),
  ] as const;

  test('a report naming its study literally joins that exam', () => {
    const timeline = timelineOf(...linked, report('r1', { imagingStudy: { study: 's1' } }));
    expect(timeline.exams).toHaveLength(1);
    expect(timeline.exams[0]?.reports.map((r) => r.id)).toEqual(['r1']);
    expect(timeline.exams[0]?.links[1]).toEqual({
      link: 'report-exam',
      from: 'DiagnosticReport/r1',
      to: 'ServiceRequest/o1',
      evidence: [{ kind: 'imagingStudy-reference', value: 'ImagingStudy/s1' }],
    });
  });

  test('a report naming its study by Study Instance UID joins that exam', () => {
    const timeline = timelineOf(...linked, report('r1', { imagingStudy: { uid: '2.25.91' } }));
    expect(timeline.exams[0]?.links[1]?.evidence).toEqual([{ kind: 'study-uid', value: '2.25.91' }]);
  });

  test('a report with only the accession number joins the exam by accession', () => {
    const timeline = timelineOf(...linked, report('r1', { accession: 'A1' }));
    expect(timeline.exams[0]?.links[1]?.evidence).toEqual([
      {
        kind: 'accession',
        value: 'A1',
        issuer: 'https://ris.oncoimg.example.org/fhir/sid/accession',
        scope: 'issuer',
      },
    ]);
  });

  test('a report naming only its order joins the order’s exam and so its study', () => {
    const literal = timelineOf(...linked, report('r1', { basedOn: { order: 'o1' } }));
    expect(literal.exams[0]?.study?.id).toBe('s1');
    expect(literal.exams[0]?.links[1]?.evidence).toEqual([
      { kind: 'report-basedOn-order', value: 'ServiceRequest/o1' },
    ]);
    const logical = timelineOf(
      ...linked,
      report('r1', { basedOn: { identifier: { system: PERSONA_PLACER_SYSTEM, value: 'P-1' } } }),
    );
    expect(logical.exams[0]?.links[1]?.evidence).toEqual([
      { kind: 'report-basedOn-order', value: `${PERSONA_PLACER_SYSTEM}|P-1` },
    ]);
  });

  test('a report that arrives before its study still links to it', () => {
    const early = report('r1', { imagingStudy: { study: 's1' } });
    const timeline = timelineOf(early, linked[1], linked[0]);
    expect(timeline.exams).toHaveLength(1);
    expect(timeline.exams[0]).toMatchObject({
      order: { id: 'o1' },
      study: { id: 's1' },
      reports: [{ id: 'r1' }],
      status: 'final',
    });
  });

  test('a report whose study never arrives is unmatched with what it looked for, and still shown', () => {
    const timeline = timelineOf(report('r1', { imagingStudy: { study: 'never' }, accession: 'A7' }));
    expect(timeline.exams).toMatchObject([
      { examId: 'DiagnosticReport/r1', status: 'final', study: null, order: null },
    ]);
    expect(timeline.unmatched).toEqual([
      {
        examId: 'DiagnosticReport/r1',
        part: 'DiagnosticReport/r1',
        link: 'report-exam',
        reason: 'not-received',
        lookedFor: [
          { kind: 'imagingStudy-reference', value: 'ImagingStudy/never' },
          { kind: 'accession', value: 'A7', issuer: 'https://ris.oncoimg.example.org/fhir/sid/accession' },
        ],
      },
    ]);
  });

  test('reports waiting for the same missing study wait together as one exam', () => {
    const timeline = timelineOf(
      report('r1', { imagingStudy: { study: 'later' }, status: 'preliminary' }),
      report('r2', { imagingStudy: { study: 'later' } }),
    );
    expect(timeline.exams.map((e) => e.reports.map((r) => r.id))).toEqual([['r1', 'r2']]);
    expect(timeline.unmatched.map((u) => u.part)).toEqual(['DiagnosticReport/r1', 'DiagnosticReport/r2']);
  });

  test('a report carrying nothing to link by is unmatched for lack of keys', () => {
    const timeline = timelineOf(report('r1'));
    expect(timeline.unmatched).toMatchObject([
      { part: 'DiagnosticReport/r1', reason: 'no-link-keys', lookedFor: [] },
    ]);
  });

  test('a report whose accession fits two exams is ambiguous and joins neither', () => {
    const timeline = timelineOf(
      order('o1', { accession: 'A1', accessionIssuer: 'https://ris-a.example.org' }),
      order('o2', { accession: 'A1', accessionIssuer: 'https://ris-b.example.org' }),
      report('r1', { accession: 'A1', accessionIssuer: null }),
    );
    expect(timeline.exams.map((e) => e.examId)).toEqual([
      'ServiceRequest/o1',
      'ServiceRequest/o2',
      'DiagnosticReport/r1',
    ]);
    expect(timeline.ambiguous).toMatchObject([
      {
        part: 'DiagnosticReport/r1',
        reason: 'several-candidates',
        candidates: [{ examId: 'ServiceRequest/o1' }, { examId: 'ServiceRequest/o2' }],
      },
    ]);
  });

  test('a report whose study reference and accession point at different exams is conflicting evidence', () => {
    const timeline = timelineOf(
      ...linked,
      order('o2', { accession: 'B2' }),
      report('r1', { imagingStudy: { study: 's1' }, accession: 'B2' }),
    );
    expect(timeline.ambiguous).toMatchObject([
      {
        part: 'DiagnosticReport/r1',
        reason: 'conflicting-evidence',
        candidates: [
          { examId: 'ServiceRequest/o1', reference: 'ImagingStudy/s1' },
          { examId: 'ServiceRequest/o2', reference: 'ServiceRequest/o2' },
        ],
      },
    ]);
  });

  test('a report and its addendum both join the exam', () => {
    const timeline = timelineOf(
      ...linked,
      report('r1', { imagingStudy: { study: 's1' } }),
      report('r2', { accession: 'A1', status: 'appended' }),
    );
    expect(timeline.exams[0]?.reports.map((r) => r.id)).toEqual(['r1', 'r2']);
    expect(timeline.exams[0]?.status).toBe('amended');
  });
});
