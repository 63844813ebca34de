import { OperationOutcomeError } from '@medplum/core';
import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import {
  patientKeyOf,
  validateR4,
  type ImagingResource,
  type ImagingResourceType,
} from '@oncoimg/fhir-events';

/** The resource of one imaging type. */
export type ImagingResourceOf<T extends ImagingResourceType> = Extract<ImagingResource, { resourceType: T }>;

/**
 * What one resource type adds to the shared intake rules: each intake service writes its own
 * (`services/order-service/src/service-request.intake-rules.ts`) and passes it to the intake app.
 */
export interface IntakeRules<T extends ImagingResourceType = ImagingResourceType> {
  resourceType: T;
  /** Issues of a resource that already passed R4 structure and the shared rules' checks. */
  check(resource: ImagingResourceOf<T>): OperationOutcomeIssue[];
}

/** The rules of any one imaging type, as the intake app takes them. */
export type AnyIntakeRules = { [T in ImagingResourceType]: IntakeRules<T> }[ImagingResourceType];

/** One error issue at `expression` (a FHIRPath). */
export function intakeIssue(
  text: string,
  expression: string,
  code: OperationOutcomeIssue['code'] = 'invalid',
): OperationOutcomeIssue {
  return { severity: 'error', code, details: { text }, expression: [expression] };
}

/**
 * Issues of code elements outside their R4 required value set. @medplum/core's validator does not
 * check required codes (`status: 'bogus'` passes), and the timeline's state machine depends on them.
 */
export function requiredCodeIssues(
  resource: ImagingResource,
  valueSets: Readonly<Record<string, readonly string[]>>,
): OperationOutcomeIssue[] {
  const type = resource.resourceType;
  return Object.entries(valueSets).flatMap(([element, allowed]) => {
    const value = (resource as unknown as Record<string, unknown>)[element];
    return typeof value === 'string' && !allowed.includes(value)
      ? [
          intakeIssue(
            `${element} ${JSON.stringify(value)} is not in the R4 value set (${allowed.join(', ')})`,
            `${type}.${element}`,
            'code-invalid',
          ),
        ]
      : [];
  });
}

/** Every imaging resource names its patient: the timeline is keyed by it. */
export function subjectIssues(resource: ImagingResource): OperationOutcomeIssue[] {
  return patientKeyOf(resource)
    ? []
    : [
        intakeIssue(
          'subject must identify a Patient: a Patient identifier (system and value) or a Patient/{id} reference',
          `${resource.resourceType}.subject`,
          'required',
        ),
      ];
}

/** The project's rules on top of R4: the shared ones, then those of the resource's type. */
export function intakeRuleIssues(resource: ImagingResource, rules?: AnyIntakeRules): OperationOutcomeIssue[] {
  // The type check above makes `resource` the one `rules.check` takes.
  const own = rules?.resourceType === resource.resourceType ? rules.check(resource as never) : [];
  return [...own, ...subjectIssues(resource)];
}

/**
 * Validates a resource for intake: the expected type, R4 structure (@medplum/core against the base
 * definitions), the shared rules and `rules` of the type. Throws a 400 OperationOutcome listing
 * every issue.
 */
export function validateIntake<T extends ImagingResourceType>(
  resource: Record<string, unknown>,
  expectedType: T,
  rules?: AnyIntakeRules,
): ImagingResourceOf<T> {
  if (resource.resourceType !== expectedType) {
    throw new OperationOutcomeError({
      resourceType: 'OperationOutcome',
      id: 'http-400',
      issue: [
        intakeIssue(
          `this endpoint takes ${expectedType}, not ${JSON.stringify(resource.resourceType ?? null)}`,
          'resourceType',
          'not-supported',
        ),
      ],
    });
  }
  const structural = validateR4(resource);
  const ruleIssues =
    structural.length === 0 ? intakeRuleIssues(resource as unknown as ImagingResource, rules) : [];
  const issues = [...structural, ...ruleIssues];
  if (issues.length > 0) {
    throw new OperationOutcomeError({ resourceType: 'OperationOutcome', id: 'http-400', issue: issues });
  }
  return resource as unknown as ImagingResourceOf<T>;
}
