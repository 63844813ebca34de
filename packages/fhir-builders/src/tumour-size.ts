import type { Observation } from '@medplum/fhirtypes';
import { trackingIdentifier } from './identifiers.ts';
import type { BodyPart } from './imaging-order.ts';
import { LOINC, SNOMED, TUMOUR_ASSESSMENT_SYSTEM, UCUM } from './systems.ts';

/** Disease-status codes (mCODE condition status trend, SNOMED CT) a report can conclude with. */
export const DISEASE_STATUS = {
  improved: { code: '268910001', display: "Patient's condition improved (finding)" },
  stable: { code: '359746009', display: "Patient's condition stable (finding)" },
  worse: { code: '271299001', display: "Patient's condition worsened (finding)" },
} as const;
export type DiseaseStatus = keyof typeof DISEASE_STATUS;

/** One measured target lesion: RECIST longest diameter, or short axis for a lymph node. */
export interface LesionMeasurement {
  /** DICOM Tracking Identifier: the same lesion keeps it across exams. */
  trackingId: string;
  site: BodyPart;
  laterality?: 'left' | 'right';
  node: boolean;
  /** The size RECIST sums, in mm: the longest diameter, or the short axis of a node. */
  mm: number;
}

const LATERALITY = {
  left: { code: '7771000', display: 'Left' },
  right: { code: '24028007', display: 'Right' },
} as const;

function lengthQuantity(mm: number, unit: 'mm' | 'cm'): Observation['valueQuantity'] {
  const value = unit === 'cm' ? Math.round(mm) / 10 : Math.round(mm * 10) / 10;
  return { value, unit, system: UCUM, code: unit };
}

/** A contained LOINC 21889-1 tumour-size Observation, in the unit the reading radiologist used. */
export function tumourSizeObservation(id: string, lesion: LesionMeasurement, unit: 'mm' | 'cm'): Observation {
  const laterality = lesion.laterality ? LATERALITY[lesion.laterality] : undefined;
  return {
    resourceType: 'Observation',
    id,
    identifier: [trackingIdentifier(lesion.trackingId)],
    status: 'final',
    category: [
      { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'imaging' }] },
      ...(lesion.node ? [{ coding: [{ system: TUMOUR_ASSESSMENT_SYSTEM, code: 'lymph-node' }] }] : []),
    ],
    code: { coding: [{ system: LOINC, code: '21889-1', display: 'Size Tumor' }] },
    bodySite: {
      coding: [{ system: SNOMED, code: lesion.site.snomed, display: lesion.site.display }],
      ...(laterality
        ? {
            extension: [
              {
                url: 'http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-laterality-qualifier',
                valueCodeableConcept: { coding: [{ system: SNOMED, ...laterality }] },
              },
            ],
          }
        : {}),
    },
    // A node is reported by its short axis; its long axis rides along as a component.
    ...(lesion.node
      ? {
          valueQuantity: lengthQuantity(lesion.mm + 6, unit),
          component: [
            {
              code: { coding: [{ system: SNOMED, code: '103340004', display: 'Short axis' }] },
              valueQuantity: lengthQuantity(lesion.mm, unit),
            },
          ],
        }
      : { valueQuantity: lengthQuantity(lesion.mm, unit) }),
  };
}
