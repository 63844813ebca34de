import type { ImagingStudy, ServiceRequest } from '@medplum/fhirtypes';
import { codingsOf } from './fhir-text.ts';
import { RT_MODALITIES, studyModalityCodes } from './modality.ts';
import { IMAGING_PURPOSE_SYSTEM } from './purpose-code-system.ts';

/** Where the planning invariant found its evidence. */
export type PlanningSource = 'order-code' | 'study';

export interface PlanningEvidence {
  source: PlanningSource;
  evidence: string;
}

const isPlanningCode = (coding: { system?: string; code?: string }): boolean =>
  coding.system === IMAGING_PURPOSE_SYSTEM && coding.code?.trim() === 'planning';

/**
 * The planning invariant of the design brief: a study holding an RT object (RTSTRUCT, RTPLAN,
 * RTDOSE, RTIMAGE, RTRECORD), or an order or study coded `imaging-purpose#planning`, is a
 * radiotherapy planning scan whatever its words say (planning scans are never diagnostic: Royal
 * College of Radiologists). Checked before any other purpose source; null when none applies.
 */
export function planningEvidence({
  order,
  study,
}: {
  order: ServiceRequest | null;
  study: ImagingStudy | null;
}): PlanningEvidence | null {
  if (study) {
    const rt = studyModalityCodes(study).find((code) => RT_MODALITIES.includes(code));
    if (rt) {
      return { source: 'study', evidence: `ImagingStudy modality ${rt}` };
    }
    const coded = codingsOf([...(study.procedureCode ?? []), ...(study.reasonCode ?? [])]).some(
      isPlanningCode,
    );
    if (coded) {
      return { source: 'study', evidence: 'ImagingStudy coded imaging-purpose#planning' };
    }
  }
  if (order) {
    const places = [
      ['ServiceRequest.category', order.category ?? []],
      ['ServiceRequest.code', [order.code]],
      ['ServiceRequest.orderDetail', order.orderDetail ?? []],
    ] as const;
    for (const [path, concepts] of places) {
      if (codingsOf(concepts).some(isPlanningCode)) {
        return { source: 'order-code', evidence: `${path} imaging-purpose#planning` };
      }
    }
  }
  return null;
}
