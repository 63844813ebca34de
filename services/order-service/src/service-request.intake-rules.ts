import { requiredCodeIssues, type IntakeRules } from '@oncoimg/intake';

/** What the timeline needs of an order beyond R4: a status and intent its state machine knows. */
export const serviceRequestIntakeRules: IntakeRules<'ServiceRequest'> = {
  resourceType: 'ServiceRequest',
  check: (resource) =>
    requiredCodeIssues(resource, {
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
    }),
};
