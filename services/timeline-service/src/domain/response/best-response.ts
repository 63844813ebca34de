import { daysBetween } from '../exam/exam-date.ts';
import type { BestOverallResponse, ResponseCategory } from '@oncoimg/fhir-events';

/** RECIST 1.1: a CR or PR is confirmed by a later assessment at least 4 weeks on. */
export const DEFAULT_CONFIRMATION_DAYS = 28;

export interface ResponseOptions {
  /** Days between a CR/PR and the assessment that confirms it (RECIST 1.1: 4 weeks). */
  confirmationDays?: number;
}

/** The best overall response of a treatment line (one comparable track): the event contract's. */
export type { BestOverallResponse } from '@oncoimg/fhir-events';

export interface AssessedPoint {
  examId: string;
  date: string | null;
  category: ResponseCategory;
}

const RANK: Readonly<Record<ResponseCategory, number>> = {
  CR: 6,
  PR: 5,
  SD: 4,
  'non-CR/non-PD': 3,
  PD: 2,
  NE: 1,
};

// A CR is confirmed by a later CR, a PR by a later PR or CR, at least `days` on, before any PD.
function confirmerOf(points: readonly AssessedPoint[], index: number, days: number): AssessedPoint | null {
  const point = points[index];
  for (const later of points.slice(index + 1)) {
    if (later.category === 'PD') {
      return null;
    }
    const apart = point.date && later.date ? daysBetween(point.date, later.date) : null;
    const agrees = later.category === 'CR' || (point.category === 'PR' && later.category === 'PR');
    if (apart !== null && apart >= days && agrees) {
      return later;
    }
  }
  return null;
}

/**
 * The best overall response of a line from its assessments in time order, up to the first PD:
 * CR and PR count only when confirmed (else as SD); the confirming assessment of each CR/PR.
 */
export function bestOverallResponse(
  points: readonly AssessedPoint[],
  { confirmationDays = DEFAULT_CONFIRMATION_DAYS }: ResponseOptions = {},
): { best: BestOverallResponse; confirmations: Map<string, string> } {
  const firstPd = points.findIndex((p) => p.category === 'PD');
  const counted = firstPd === -1 ? points : points.slice(0, firstPd + 1);
  const confirmations = new Map<string, string>();
  let best: BestOverallResponse = {
    category: null,
    confirmed: false,
    examId: null,
    confirmedBy: null,
    confirmationDays,
    reason: 'No follow-up assessed yet.',
  };
  const unconfirmed: string[] = [];
  counted.forEach((point, index) => {
    let category = point.category;
    let confirmedBy: string | null = null;
    if (category === 'CR' || category === 'PR') {
      confirmedBy = confirmerOf(counted, index, confirmationDays)?.examId ?? null;
      if (confirmedBy) {
        confirmations.set(point.examId, confirmedBy);
      } else {
        unconfirmed.push(`${category} at ${point.examId}`);
        category = 'SD';
      }
    }
    if (best.category === null || RANK[category] > RANK[best.category]) {
      best = {
        category,
        confirmed: confirmedBy !== null,
        examId: point.examId,
        confirmedBy,
        confirmationDays,
        reason: confirmedBy
          ? `${category} at ${point.examId}, confirmed by ${confirmedBy} at least ${confirmationDays} days later.`
          : `${category} at ${point.examId}.`,
      };
    }
  });
  if (unconfirmed.length > 0 && best.category !== null && !best.confirmed) {
    best = {
      ...best,
      reason: `${best.reason} Not confirmed by an assessment ${confirmationDays} days or more later (${unconfirmed.join(', ')}): counted as SD at most.`,
    };
  }
  return { best, confirmations };
}
