import type { ImagingStudy, ServiceRequest } from '@medplum/fhirtypes';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { planningEvidence } from './planning.ts';
import {
  imagingOrder,
  imagingStudy,
  personaEvent,
  personaPatient,
  timelineFrom,
  type PersonaEvent,
  type PurposeCode,
} from '../timeline.fixtures.ts';

const patient = personaPatient('PL-0001');
const key = patient.key;
const RT = ['RTSTRUCT', 'RTPLAN', 'RTDOSE', 'RTIMAGE'] as const;

// Words an order can carry that would otherwise make a diagnostic purpose.
const REASONS = [
  'Metastatic NSCLC, palliative thoracic RT',
  'Staging',
  'Pre-treatment baseline',
  'Response assessment after 2 cycles',
  'Surveillance',
  'Suspected recurrence',
  'RT planning',
] as const;

interface ExamSpec {
  day: number;
  rt: (typeof RT)[number] | null;
  purpose: PurposeCode | null;
  reason: (typeof REASONS)[number];
  bodyPart: 'CHEST' | 'HEAD';
}

const examSpec: fc.Arbitrary<ExamSpec> = fc.record({
  day: fc.integer({ min: 0, max: 300 }),
  rt: fc.option(fc.constantFrom(...RT), { nil: null }),
  purpose: fc.option(
    fc.constantFrom<PurposeCode>('baseline', 'planning', 'response', 'staging', 'diagnosis'),
    {
      nil: null,
    },
  ),
  reason: fc.constantFrom(...REASONS),
  bodyPart: fc.constantFrom('CHEST', 'HEAD'),
});

const at = (day: number, hour: number): string => new Date(Date.UTC(2024, 0, 1 + day, hour)).toISOString();

function examOf(spec: ExamSpec, index: number): { order: ServiceRequest; study: ImagingStudy } {
  const order = imagingOrder({
    id: `p${index}`,
    patient,
    procedure: { text: `CT ${spec.bodyPart}` },
    authoredOn: at(spec.day, 8),
    accession: `PL${index}`,
    reason: spec.reason,
    ...(spec.purpose ? { purpose: spec.purpose } : {}),
  });
  const study = imagingStudy({
    id: `p${index}-study`,
    patient,
    uid: `2.25.77${index}`,
    started: at(spec.day, 10),
    accession: `PL${index}`,
    basedOn: { order: `p${index}` },
    series: [
      { uid: `2.25.78${index}`, modality: 'CT', bodyPart: { display: spec.bodyPart } },
      ...(spec.rt ? [{ uid: `2.25.79${index}`, modality: spec.rt }] : []),
    ],
  });
  return { order, study };
}

describe('the planning invariant', () => {
  test('an RT modality or a planning code decides, whatever the order’s words', () => {
    const { order, study } = examOf(
      { day: 0, rt: 'RTSTRUCT', purpose: 'staging', reason: 'Staging', bodyPart: 'CHEST' },
      0,
    );
    expect(planningEvidence({ order, study })).toEqual({
      source: 'study',
      evidence: 'ImagingStudy modality RTSTRUCT',
    });
    const coded = examOf({ day: 0, rt: null, purpose: 'planning', reason: 'Staging', bodyPart: 'CHEST' }, 1);
    expect(planningEvidence(coded)).toEqual({
      source: 'order-code',
      evidence: 'ServiceRequest.category imaging-purpose#planning',
    });
    const studyCoded: ImagingStudy = {
      ...examOf({ day: 0, rt: null, purpose: null, reason: 'Staging', bodyPart: 'CHEST' }, 2).study,
      procedureCode: [
        {
          coding: [
            { system: 'https://oncoimg.example.org/fhir/CodeSystem/imaging-purpose', code: 'planning' },
          ],
        },
      ],
    };
    expect(planningEvidence({ order: null, study: studyCoded })?.source).toBe('study');
    // Words are read later, with the other purpose sources: alone they are not the invariant.
    const worded = examOf({ day: 0, rt: null, purpose: null, reason: 'RT planning', bodyPart: 'CHEST' }, 3);
    expect(planningEvidence(worded)).toBeNull();
  });

  test('in any generated pathway a planning scan is never baseline, follow-up or comparison point', () => {
    fc.assert(
      fc.property(fc.array(examSpec, { minLength: 1, maxLength: 7 }), (specs) => {
        const events: PersonaEvent[] = specs.flatMap((spec, index) => {
          const { order, study } = examOf(spec, index);
          return [personaEvent(order, { patientKey: key }), personaEvent(study, { patientKey: key })];
        });
        const timeline = timelineFrom(key, events);
        const planningIds = new Set(
          specs.flatMap((spec, index) =>
            spec.rt !== null || spec.purpose === 'planning' ? [`ServiceRequest/p${index}`] : [],
          ),
        );
        for (const exam of timeline.exams) {
          if (!planningIds.has(exam.examId)) {
            continue;
          }
          expect(exam).toMatchObject({
            purpose: 'planning',
            planning: true,
            role: 'planning',
            isBaseline: false,
          });
          expect(exam.followUpOf).toBeNull();
          expect(exam.response).toBeUndefined();
        }
        for (const exam of timeline.exams) {
          expect(planningIds.has(exam.followUpOf ?? '')).toBe(false);
          expect(planningIds.has(exam.response?.nadirExamId ?? '')).toBe(false);
          expect(planningIds.has(exam.response?.baselineExamId ?? '')).toBe(false);
        }
        for (const line of timeline.episodes.flatMap((episode) => episode.lines)) {
          expect(planningIds.has(line.baselineExamId ?? '')).toBe(false);
          for (const track of line.tracks) {
            expect(planningIds.has(track.baselineExamId)).toBe(false);
          }
        }
        expect(planningIds.has(timeline.currentBaseline?.examId ?? '')).toBe(false);
      }),
      { numRuns: 200 },
    );
  });
});
