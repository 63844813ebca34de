import {
  hl7DiagnosticReportUltrasound,
  hl7ImagingStudyExample,
  hl7ServiceRequestDi,
} from '@oncoimg/testing/personas';
import { authFetch, describeWithFixtures, testDatabaseTargets } from '@oncoimg/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventually, putResource, startSystem, type RunningSystem } from '../support/running-system.ts';

interface TimelineView {
  exams: { examId: string; status: string; modality: string | null; purpose: string }[];
  currentBaseline: { examId: string } | null;
  pending: { ordered: string[]; unreported: string[] };
  unmatched: unknown[];
}

async function timelineOf(
  system: RunningSystem,
  patientKey: string,
  examCount: number,
): Promise<TimelineView> {
  const url = `${system.timelineBase}/api/patients/${encodeURIComponent(patientKey)}/timeline`;
  return eventually(
    async () => {
      const res = await authFetch(url);
      if (!res.ok) {
        return undefined;
      }
      const timeline = (await res.json()) as TimelineView;
      return timeline.exams.length === examCount ? timeline : undefined;
    },
    `${String(examCount)} exams for ${patientKey}`,
  );
}

/** The official HL7 R4 examples, sent as a vendor would, are accepted and link as their data allows. */
describeWithFixtures.each(testDatabaseTargets())(
  'HL7 FHIR R4 examples through the services on $name',
  (target) => {
    let system: RunningSystem;

    beforeAll(async () => {
      system = await startSystem({ database: target });
      for (const resource of [
        hl7ServiceRequestDi(),
        hl7ImagingStudyExample(),
        hl7DiagnosticReportUltrasound(),
      ]) {
        await putResource(system, resource);
      }
    });

    afterAll(() => system.stop());

    it('shows the chest CT order and the CT study of Patient/dicom, with the study as baseline and the order pending', async () => {
      const timeline = await timelineOf(system, 'Patient/dicom', 2);
      expect(timeline.exams.map((exam) => [exam.examId, exam.status, exam.modality])).toEqual([
        ['ImagingStudy/example', 'performed', 'CT'],
        ['ServiceRequest/di', 'ordered', 'CT'],
      ]);
      expect(timeline.currentBaseline?.examId).toBe('ImagingStudy/example');
      expect(timeline.pending).toEqual({
        ordered: ['ServiceRequest/di'],
        unreported: ['ImagingStudy/example'],
      });
    });

    it('shows the abdominal ultrasound report of Patient/example as a final exam with nothing to link to', async () => {
      const timeline = await timelineOf(system, 'Patient/example', 1);
      expect(timeline.exams).toMatchObject([
        { examId: 'DiagnosticReport/ultrasound', status: 'final', modality: 'US' },
      ]);
    });

    it('finds both patients by search', async () => {
      const res = await authFetch(`${system.timelineBase}/api/patients?q=${encodeURIComponent('Patient/')}`);
      const { patients } = (await res.json()) as { patients: { patientKey: string }[] };
      expect(patients.map((patient) => patient.patientKey).sort()).toEqual([
        'Patient/dicom',
        'Patient/example',
      ]);
    });
  },
);
