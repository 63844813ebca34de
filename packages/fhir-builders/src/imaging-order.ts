import type { CodeableConcept, Identifier, ServiceRequest } from '@medplum/fhirtypes';
import { accessionIdentifier, subjectOf, versionMeta, type PatientRef } from './identifiers.ts';
import {
  EHR_PLACER_SYSTEM,
  IMAGING_PURPOSE_SYSTEM,
  LOINC,
  RIS_ACCESSION_SYSTEM,
  SNOMED,
  V2_0203,
} from './systems.ts';

export type PurposeCode =
  'screening' | 'diagnosis' | 'staging' | 'baseline' | 'planning' | 'response' | 'surveillance' | 'guidance';

/** What is ordered or reported, e.g. `{ loinc: '24627-2', text: 'CT Chest' }`. */
export interface Procedure {
  text: string;
  loinc?: string;
}

/** A SNOMED CT body site. */
export interface BodyPart {
  snomed: string;
  display: string;
}

/** A procedure as a CodeableConcept: the LOINC coding when there is one, always the text. */
export function procedureCode(procedure: Procedure): CodeableConcept {
  return {
    ...(procedure.loinc
      ? { coding: [{ system: LOINC, code: procedure.loinc, display: procedure.text }] }
      : {}),
    text: procedure.text,
  };
}

export interface ImagingOrderOptions {
  id: string;
  patient: PatientRef;
  procedure: Procedure;
  authoredOn: string;
  occurrence?: string;
  accession?: string;
  accessionIssuer?: string | null;
  placerNumber?: string;
  /** An explicit imaging-purpose code in `category`. */
  purpose?: PurposeCode;
  reason?: string;
  reasonSnomed?: { code: string; display: string };
  /** Id of the Condition (the episode) the order is for. */
  condition?: string;
  bodySite?: BodyPart;
  status?: ServiceRequest['status'];
  /** Null: no `meta`, as the EHR sends it. */
  versionId?: string | null;
  lastUpdated?: string;
}

/** An imaging ServiceRequest as an EHR/RIS sends it. */
export function imagingOrder(options: ImagingOrderOptions): ServiceRequest {
  const {
    id,
    patient,
    procedure,
    authoredOn,
    occurrence,
    accession,
    accessionIssuer = RIS_ACCESSION_SYSTEM,
    placerNumber,
    purpose,
    reason,
    reasonSnomed,
    condition,
    bodySite,
    status = 'active',
    versionId = '1',
    lastUpdated = authoredOn,
  } = options;
  const identifier: Identifier[] = [
    ...(placerNumber
      ? [
          {
            type: { coding: [{ system: V2_0203, code: 'PLAC' }] },
            system: EHR_PLACER_SYSTEM,
            value: placerNumber,
          },
        ]
      : []),
    ...(accession ? [accessionIdentifier(accession, accessionIssuer)] : []),
  ];
  return {
    resourceType: 'ServiceRequest',
    id,
    ...versionMeta(versionId, lastUpdated),
    ...(identifier.length ? { identifier } : {}),
    status,
    intent: 'order',
    category: [
      { coding: [{ system: SNOMED, code: '363679005', display: 'Imaging' }] },
      ...(purpose ? [{ coding: [{ system: IMAGING_PURPOSE_SYSTEM, code: purpose }] }] : []),
    ],
    code: procedureCode(procedure),
    subject: subjectOf(patient),
    ...(occurrence ? { occurrenceDateTime: occurrence } : {}),
    authoredOn,
    ...(reason || reasonSnomed
      ? {
          reasonCode: [
            {
              ...(reasonSnomed
                ? { coding: [{ system: SNOMED, code: reasonSnomed.code, display: reasonSnomed.display }] }
                : {}),
              ...(reason ? { text: reason } : {}),
            },
          ],
        }
      : {}),
    ...(condition ? { reasonReference: [{ reference: `Condition/${condition}` }] } : {}),
    ...(bodySite
      ? { bodySite: [{ coding: [{ system: SNOMED, code: bodySite.snomed, display: bodySite.display }] }] }
      : {}),
  };
}
