import type { Coding, DiagnosticReport } from '@medplum/fhirtypes';
import type { DiseaseStatus, ResponseCategory, ResponseWords } from '@oncoimg/fhir-events';
import { SNOMED_SYSTEM } from './response-codes.ts';

/** SNOMED CT code and display of each status (mCODE ConditionStatusTrendVS). */
export const DISEASE_STATUS_CODES: Readonly<Record<DiseaseStatus, { code: string; display: string }>> = {
  improved: { code: '268910001', display: "Patient's condition improved (finding)" },
  stable: { code: '359746009', display: "Patient's condition stable (finding)" },
  worse: { code: '271299001', display: "Patient's condition worsened (finding)" },
  undetermined: { code: '709137006', display: 'Patient condition undetermined (situation)' },
  'not-detected': { code: '260415000', display: 'Not detected (qualifier value)' },
};

const STATUS_OF_CODE = new Map<string, DiseaseStatus>(
  Object.entries(DISEASE_STATUS_CODES).map(([status, { code }]) => [code, status as DiseaseStatus]),
);

/** Plain words of a disease status; "undetermined" is not an assessment. */
export const WORDS_OF_STATUS: Readonly<Record<DiseaseStatus, ResponseWords>> = {
  improved: 'shrunk',
  stable: 'stable',
  worse: 'grown',
  undetermined: 'not assessed',
  'not-detected': 'gone',
};

/** Plain words of a RECIST category. */
export const WORDS_OF_CATEGORY: Readonly<Record<ResponseCategory, ResponseWords>> = {
  CR: 'gone',
  PR: 'shrunk',
  SD: 'stable',
  PD: 'grown',
  NE: 'not assessed',
  'non-CR/non-PD': 'stable',
};

/** The disease status a RECIST category drafts into CancerDiseaseStatus. */
export const STATUS_OF_CATEGORY: Readonly<Record<ResponseCategory, DiseaseStatus>> = {
  CR: 'not-detected',
  PR: 'improved',
  SD: 'stable',
  PD: 'worse',
  NE: 'undetermined',
  'non-CR/non-PD': 'stable',
};

/** The status a coding names, when it is one of the five SNOMED CT disease-status codes. */
export function diseaseStatusOfCoding(coding: Coding): DiseaseStatus | undefined {
  if (coding.system !== SNOMED_SYSTEM || !coding.code) {
    return undefined;
  }
  return STATUS_OF_CODE.get(coding.code.trim());
}

/**
 * The disease status a report's `conclusionCode` states, with the coding that states it. Other
 * conclusion codes (a diagnosis, a finding) are not responses and are skipped. The first
 * disease-status coding wins.
 */
export function diseaseStatusOfReport(
  report: DiagnosticReport,
): { status: DiseaseStatus; coding: Coding } | null {
  for (const concept of report.conclusionCode ?? []) {
    for (const coding of concept.coding ?? []) {
      const status = diseaseStatusOfCoding(coding);
      if (status) {
        const display = coding.display?.trim();
        return {
          status,
          coding: {
            system: SNOMED_SYSTEM,
            code: DISEASE_STATUS_CODES[status].code,
            ...(display ? { display } : {}),
          },
        };
      }
    }
  }
  return null;
}
