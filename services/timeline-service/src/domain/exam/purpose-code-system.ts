import type { CodeSystem } from '@medplum/fhirtypes';
import { IMAGING_PURPOSE_SYSTEM } from '@oncoimg/fhir-events';

/**
 * An order states its purpose explicitly with a coding of IMAGING_PURPOSE_SYSTEM in
 * `ServiceRequest.category`, `.code.coding` or `.orderDetail`; this wins over every other source.
 */
export { IMAGING_PURPOSE_SYSTEM };

export const IMAGING_PURPOSES = [
  'screening',
  'diagnosis',
  'staging',
  'baseline',
  'planning',
  'response',
  'surveillance',
  'guidance',
] as const;

export type ImagingPurpose = (typeof IMAGING_PURPOSES)[number];

/** True when `value` is one of the purpose codes. */
export function isImagingPurpose(value: unknown): value is ImagingPurpose {
  return typeof value === 'string' && (IMAGING_PURPOSES as readonly string[]).includes(value);
}

const DEFINITIONS: Record<ImagingPurpose, { display: string; definition: string }> = {
  screening: {
    display: 'Screening',
    definition: 'Imaging of a person without symptoms to detect cancer early.',
  },
  diagnosis: { display: 'Diagnosis', definition: 'Imaging to find or characterise a suspected disease.' },
  staging: {
    display: 'Staging',
    definition: 'Imaging to establish the extent of a known cancer before treatment.',
  },
  baseline: {
    display: 'Baseline',
    definition: 'Reference imaging before a line of treatment starts, against which response is measured.',
  },
  planning: {
    display: 'Radiotherapy planning',
    definition: 'Imaging acquired to plan radiotherapy (simulation CT, RT structures). Not diagnostic.',
  },
  response: {
    display: 'Response assessment',
    definition: 'Follow-up imaging during treatment to assess response.',
  },
  surveillance: {
    display: 'Surveillance',
    definition: 'Follow-up imaging after treatment to detect recurrence.',
  },
  guidance: {
    display: 'Guidance',
    definition: 'Imaging that guides a biopsy or an intervention needle. Not a diagnostic comparison.',
  },
};

/** The CodeSystem resource, for publication (e.g. on a FHIR server or in the docs). */
export const IMAGING_PURPOSE_CODE_SYSTEM: CodeSystem = {
  resourceType: 'CodeSystem',
  id: 'imaging-purpose',
  url: IMAGING_PURPOSE_SYSTEM,
  version: '1.0.0',
  name: 'ImagingPurpose',
  title: 'Purpose of an oncology imaging exam',
  status: 'active',
  experimental: false,
  publisher: 'oncoimg',
  description:
    'Why an imaging exam was done in an oncology pathway. Used on ServiceRequest.category, .code.coding or .orderDetail.',
  caseSensitive: true,
  content: 'complete',
  count: IMAGING_PURPOSES.length,
  concept: IMAGING_PURPOSES.map((code) => ({ code, ...DEFINITIONS[code] })),
};
