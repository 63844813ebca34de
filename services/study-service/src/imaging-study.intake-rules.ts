import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import type { ImagingStudy } from '@medplum/fhirtypes';
import { intakeIssue, requiredCodeIssues, type IntakeRules } from '@oncoimg/intake';

const DICOM_UID_SYSTEM = 'urn:dicom:uid';
const DICOM_UID = /^urn:oid:[0-2](\.(0|[1-9][0-9]*))+$/;

/** The timeline links studies to orders and reports by Study Instance UID, so it is required. */
function studyUidIssues(study: ImagingStudy): OperationOutcomeIssue[] {
  const uids = (study.identifier ?? []).filter((id) => id.system === DICOM_UID_SYSTEM);
  if (uids.length === 0) {
    return [
      intakeIssue(
        'ImagingStudy needs its Study Instance UID: identifier with system urn:dicom:uid',
        'ImagingStudy.identifier',
        'required',
      ),
    ];
  }
  return uids.every((id) => DICOM_UID.test(id.value ?? ''))
    ? []
    : [
        intakeIssue(
          'Study Instance UID must be urn:oid: followed by a DICOM UID',
          'ImagingStudy.identifier.value',
        ),
      ];
}

/** What the timeline needs of a study beyond R4: a known status and its Study Instance UID. */
export const imagingStudyIntakeRules: IntakeRules<'ImagingStudy'> = {
  resourceType: 'ImagingStudy',
  check: (study) => [
    ...requiredCodeIssues(study, {
      status: ['registered', 'available', 'cancelled', 'entered-in-error', 'unknown'],
    }),
    ...studyUidIssues(study),
  ],
};
