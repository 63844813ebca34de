import type { ImagingResource } from '../records/imaging-resource.ts';

/** The life of an exam on the timeline, in order. */
export const EXAM_STATUSES = ['ordered', 'performed', 'preliminary', 'final', 'amended'] as const;
export type ExamStatus = (typeof EXAM_STATUSES)[number];

/** Why a part, or a whole exam, left the timeline. */
export const REMOVAL_REASONS = ['entered-in-error', 'cancelled', 'deleted'] as const;
export type RemovalReason = (typeof REMOVAL_REASONS)[number];

/** A part either moves its exam along, or is void and leaves it. */
export type PartState = { kind: 'live'; status: ExamStatus } | { kind: 'void'; reason: RemovalReason };

/**
 * The state one resource gives its exam. Order: `revoked` → cancelled, `completed` → performed,
 * anything else → ordered. Study: `cancelled` / `entered-in-error` void, `registered` (nothing
 * available yet) → ordered, else performed. Report: `partial` / `preliminary` / `unknown` →
 * preliminary, `final` → final, `amended` / `corrected` / `appended` → amended, `registered` → ordered.
 */
export function partStateOf(resource: ImagingResource): PartState {
  const status: string = resource.status;
  if (status === 'entered-in-error') {
    return { kind: 'void', reason: 'entered-in-error' };
  }
  switch (resource.resourceType) {
    case 'ServiceRequest':
      if (status === 'revoked') {
        return { kind: 'void', reason: 'cancelled' };
      }
      return { kind: 'live', status: status === 'completed' ? 'performed' : 'ordered' };
    case 'ImagingStudy':
      if (status === 'cancelled') {
        return { kind: 'void', reason: 'cancelled' };
      }
      return { kind: 'live', status: status === 'registered' ? 'ordered' : 'performed' };
    case 'DiagnosticReport':
      if (status === 'cancelled') {
        return { kind: 'void', reason: 'cancelled' };
      }
      if (status === 'registered') {
        return { kind: 'live', status: 'ordered' };
      }
      if (status === 'final') {
        return { kind: 'live', status: 'final' };
      }
      if (status === 'amended' || status === 'corrected' || status === 'appended') {
        return { kind: 'live', status: 'amended' };
      }
      return { kind: 'live', status: 'preliminary' };
  }
}

/** The furthest of several statuses: an exam is as far along as its furthest live part. */
export function furthestStatus(statuses: readonly ExamStatus[]): ExamStatus {
  let furthest: ExamStatus = 'ordered';
  for (const status of statuses) {
    if (EXAM_STATUSES.indexOf(status) > EXAM_STATUSES.indexOf(furthest)) {
      furthest = status;
    }
  }
  return furthest;
}

/** An exam has happened once it was performed or reported. */
export function hasHappened(status: ExamStatus): boolean {
  return status !== 'ordered';
}

/** The reason a group of removed parts is shown with: an error outranks a cancellation, which outranks a delete. */
export function strongestRemovalReason(reasons: readonly RemovalReason[]): RemovalReason {
  return REMOVAL_REASONS.find((reason) => reasons.includes(reason)) ?? 'deleted';
}
