import type {
  BodyStructure,
  CodeableConcept,
  DiagnosticReport,
  Identifier,
  Observation,
} from '@medplum/fhirtypes';
import { TUMOUR_ASSESSMENT_SYSTEM, UCUM } from '@oncoimg/fhir-builders';
import type { PersonaPatient } from './imaging-builders.ts';
import { DICOM_DCM, LOINC, SNOMED } from './systems.ts';

/** The project's tumour-assessment CodeSystem (new lesion, lymph node), declared by the event contract. */
export const PERSONA_TUMOUR_ASSESSMENT_SYSTEM = TUMOUR_ASSESSMENT_SYSTEM;

export const MCODE_TUMOR_SIZE_PROFILE = 'http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-tumor-size';

/** A length as written: `{ value: 3.4, unit: 'cm' }`. */
export interface Length {
  value: number;
  unit: 'mm' | 'cm';
}

/** Who the lesion is, the ways a report can say it. */
export interface LesionOptions {
  /** DICOM Tracking Unique Identifier (112040), on a contained focus BodyStructure. */
  trackingUid?: string;
  /** DICOM Tracking Identifier (112039), on the same BodyStructure. */
  trackingId?: string;
  /** The same identifiers on the Observation itself instead of a BodyStructure. */
  onObservation?: boolean;
  /** Body site (SNOMED CT) of the Observation, with optional laterality. */
  bodySite?: { snomed: string; display: string; laterality?: 'left' | 'right' };
}

export interface TumourSizeOptions {
  /** Id of the contained Observation (its BodyStructure is `${id}-site`). */
  id: string;
  /** The patient (a BodyStructure names its patient). */
  patient: PersonaPatient;
  lesion: LesionOptions;
  /** The longest diameter: a 33728-7 component with `profile: 'mcode'`, else the value. */
  longest?: Length;
  shortAxis?: Length;
  /** Mark the lesion as a lymph node (tumour-assessment#lymph-node in category). */
  node?: boolean;
  /** Flag the lesion as new (tumour-assessment#new-lesion in interpretation). */
  newLesion?: boolean;
  /** `mcode`: the mCODE TumorSize shape (profile, components); `loinc`: a 21889-1 value. */
  shape?: 'mcode' | 'loinc';
  status?: Observation['status'];
}

const LATERALITY: Record<'left' | 'right', { code: string; display: string }> = {
  left: { code: '7771000', display: 'Left' },
  right: { code: '24028007', display: 'Right' },
};

function quantity({ value, unit }: Length): Observation['valueQuantity'] {
  return { value, unit, system: UCUM, code: unit };
}

function trackingIdentifiers(lesion: LesionOptions): Identifier[] {
  return [
    ...(lesion.trackingUid
      ? [
          {
            type: { coding: [{ system: DICOM_DCM, code: '112040', display: 'Tracking Unique Identifier' }] },
            system: 'urn:dicom:uid',
            value: `urn:oid:${lesion.trackingUid}`,
          },
        ]
      : []),
    ...(lesion.trackingId
      ? [
          {
            type: { coding: [{ system: DICOM_DCM, code: '112039', display: 'Tracking Identifier' }] },
            value: lesion.trackingId,
          },
        ]
      : []),
  ];
}

function bodySiteOf(lesion: LesionOptions): CodeableConcept | undefined {
  const site = lesion.bodySite;
  if (!site) {
    return undefined;
  }
  const laterality = site.laterality ? LATERALITY[site.laterality] : undefined;
  return {
    coding: [{ system: SNOMED, code: site.snomed, display: site.display }],
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
  };
}

/**
 * A tumour measurement and (when it has tracking identifiers) its focus BodyStructure, both to be
 * contained in a report: the way a RECIST reading or a DICOM SR TID 1500 conversion writes them.
 */
export function tumourSize(options: TumourSizeOptions): (Observation | BodyStructure)[] {
  const {
    id,
    patient,
    lesion,
    longest,
    shortAxis,
    node = false,
    newLesion = false,
    shape = 'loinc',
    status = 'final',
  } = options;
  const identifiers = trackingIdentifiers(lesion);
  const structure: BodyStructure | undefined =
    identifiers.length && !lesion.onObservation
      ? {
          resourceType: 'BodyStructure',
          id: `${id}-site`,
          identifier: identifiers,
          ...(lesion.bodySite
            ? {
                location: {
                  coding: [
                    { system: SNOMED, code: lesion.bodySite.snomed, display: lesion.bodySite.display },
                  ],
                },
              }
            : {}),
          patient: { type: 'Patient', identifier: { ...patient.identifier } },
        }
      : undefined;
  const components: NonNullable<Observation['component']> = [
    ...(shape === 'mcode' && longest
      ? [{ code: { coding: [{ system: LOINC, code: '33728-7' }] }, valueQuantity: quantity(longest) }]
      : []),
    ...(shortAxis
      ? [
          {
            code: { coding: [{ system: SNOMED, code: '103340004', display: 'Short axis' }] },
            valueQuantity: quantity(shortAxis),
          },
        ]
      : []),
  ];
  const bodySite = bodySiteOf(lesion);
  const observation: Observation = {
    resourceType: 'Observation',
    id,
    ...(shape === 'mcode' ? { meta: { profile: [MCODE_TUMOR_SIZE_PROFILE] } } : {}),
    ...(lesion.onObservation && identifiers.length ? { identifier: identifiers } : {}),
    status,
    category: [
      { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'imaging' }] },
      ...(node ? [{ coding: [{ system: PERSONA_TUMOUR_ASSESSMENT_SYSTEM, code: 'lymph-node' }] }] : []),
    ],
    code: { coding: [{ system: LOINC, code: '21889-1', display: 'Size Tumor' }] },
    ...(structure ? { focus: [{ reference: `#${structure.id ?? ''}` }] } : {}),
    ...(bodySite ? { bodySite } : {}),
    ...(shape === 'loinc' && longest ? { valueQuantity: quantity(longest) } : {}),
    ...(newLesion
      ? { interpretation: [{ coding: [{ system: PERSONA_TUMOUR_ASSESSMENT_SYSTEM, code: 'new-lesion' }] }] }
      : {}),
    ...(components.length ? { component: components } : {}),
  };
  return structure ? [observation, structure] : [observation];
}

/** A report statement that a new lesion is present (or, with `present: false`, that there is none). */
export function newLesionStatement(id: string, present = true): Observation {
  return {
    resourceType: 'Observation',
    id,
    status: 'final',
    code: {
      coding: [{ system: PERSONA_TUMOUR_ASSESSMENT_SYSTEM, code: 'new-lesion', display: 'New lesion' }],
    },
    valueBoolean: present,
  };
}

/** A dose Observation as a CT dose report gives it: DICOM 113813 (DLP total), 113838 (DLP) or 113839 (effective dose). */
export function doseObservation(
  id: string,
  kind: 'dlp-total' | 'dlp' | 'effective-dose',
  value: number,
  unit: string = kind === 'effective-dose' ? 'mSv' : 'mGy.cm',
): Observation {
  const code = { 'dlp-total': '113813', dlp: '113838', 'effective-dose': '113839' }[kind];
  return {
    resourceType: 'Observation',
    id,
    status: 'final',
    code: { coding: [{ system: DICOM_DCM, code }] },
    valueQuantity: { value, unit, system: UCUM, code: unit },
  };
}

/**
 * The report with these resources contained; every contained Observation is listed in `result`
 * by `#id` (FHIR requires contained resources to be referenced from their container; a
 * BodyStructure is referenced by its Observation's focus).
 */
export function withContained(
  report: DiagnosticReport,
  contained: readonly (Observation | BodyStructure)[],
): DiagnosticReport {
  const observations = contained.filter((r): r is Observation => r.resourceType === 'Observation');
  return {
    ...report,
    contained: [...(report.contained ?? []), ...contained],
    result: [...(report.result ?? []), ...observations.map((o) => ({ reference: `#${o.id ?? ''}` }))],
  };
}

/** Adds a disease-status SNOMED CT code (e.g. 268910001 improved) to a report's conclusionCode. */
export function withConclusionCode(
  report: DiagnosticReport,
  code: string,
  display: string,
): DiagnosticReport {
  return {
    ...report,
    conclusionCode: [...(report.conclusionCode ?? []), { coding: [{ system: SNOMED, code, display }] }],
  };
}
