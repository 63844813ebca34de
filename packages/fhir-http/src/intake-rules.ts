import { OperationOutcomeError } from '@medplum/core';
import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import {
  patientKeyOf,
  validateR4,
  type ImagingResource,
  type ImagingResourceType,
} from '@oncoimg/fhir-events';

/**
 * R4 required value sets of the statuses the timeline reads. @medplum/core's validator does not
 * check required codes (`status: 'bogus'` passes), and the timeline's state machine depends on them.
 */
const ALLOWED_CODES: Record<ImagingResourceType, Record<string, readonly string[]>> = {
  ServiceRequest: {
    status: ['draft', 'active', 'on-hold', 'revoked', 'completed', 'entered-in-error', 'unknown'],
    intent: [
      'proposal',
      'plan',
      'directive',
      'order',
      'original-order',
      'reflex-order',
      'filler-order',
      'instance-order',
      'option',
    ],
  },
  ImagingStudy: { status: ['registered', 'available', 'cancelled', 'entered-in-error', 'unknown'] },
  DiagnosticReport: {
    status: [
      'registered',
      'partial',
      'preliminary',
      'final',
      'amended',
      'corrected',
      'appended',
      'cancelled',
      'entered-in-error',
      'unknown',
    ],
  },
};

const DICOM_UID_SYSTEM = 'urn:dicom:uid';
const DICOM_UID = /^urn:oid:[0-2](\.(0|[1-9][0-9]*))+$/;

function issue(
  text: string,
  expression: string,
  code: OperationOutcomeIssue['code'] = 'invalid',
): OperationOutcomeIssue {
  return { severity: 'error', code, details: { text }, expression: [expression] };
}

/** The project's rules on top of R4: what the timeline needs to place the resource. */
export function intakeRuleIssues(resource: ImagingResource): OperationOutcomeIssue[] {
  const issues: OperationOutcomeIssue[] = [];
  const type = resource.resourceType;
  for (const [element, allowed] of Object.entries(ALLOWED_CODES[type])) {
    const value = (resource as unknown as Record<string, unknown>)[element];
    if (typeof value === 'string' && !allowed.includes(value)) {
      issues.push(
        issue(
          `${element} ${JSON.stringify(value)} is not in the R4 value set (${allowed.join(', ')})`,
          `${type}.${element}`,
          'code-invalid',
        ),
      );
    }
  }
  if (!patientKeyOf(resource)) {
    issues.push(
      issue(
        'subject must identify a Patient: a Patient identifier (system and value) or a Patient/{id} reference',
        `${type}.subject`,
        'required',
      ),
    );
  }
  if (type === 'ImagingStudy') {
    const uids = (resource.identifier ?? []).filter((id) => id.system === DICOM_UID_SYSTEM);
    if (uids.length === 0) {
      issues.push(
        issue(
          'ImagingStudy needs its Study Instance UID: identifier with system urn:dicom:uid',
          'ImagingStudy.identifier',
          'required',
        ),
      );
    } else if (!uids.every((id) => DICOM_UID.test(id.value ?? ''))) {
      issues.push(
        issue('Study Instance UID must be urn:oid: followed by a DICOM UID', 'ImagingStudy.identifier.value'),
      );
    }
  }
  return issues;
}

/**
 * Validates a resource for intake: the expected type, R4 structure (@medplum/core against the base
 * definitions) and the project's rules. Throws a 400 OperationOutcome listing every issue.
 */
export function validateIntake<T extends ImagingResourceType>(
  resource: Record<string, unknown>,
  expectedType: T,
): Extract<ImagingResource, { resourceType: T }> {
  if (resource.resourceType !== expectedType) {
    throw new OperationOutcomeError({
      resourceType: 'OperationOutcome',
      id: 'http-400',
      issue: [
        issue(
          `this endpoint takes ${expectedType}, not ${JSON.stringify(resource.resourceType ?? null)}`,
          'resourceType',
          'not-supported',
        ),
      ],
    });
  }
  const structural = validateR4(resource);
  const rules = structural.length === 0 ? intakeRuleIssues(resource as unknown as ImagingResource) : [];
  const issues = [...structural, ...rules];
  if (issues.length > 0) {
    throw new OperationOutcomeError({ resourceType: 'OperationOutcome', id: 'http-400', issue: issues });
  }
  return resource as unknown as Extract<ImagingResource, { resourceType: T }>;
}
