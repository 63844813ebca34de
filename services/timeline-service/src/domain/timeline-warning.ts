/**
 * Warnings a person must see next to a derived answer. Codes are stable (documented in the
 * timeline service README); the message says the same in plain words.
 */
export const TIMELINE_WARNING_CODES = [
  'baseline-older-than-window',
  'baseline-after-treatment-start',
  'baseline-fallback-earliest',
] as const;
export type TimelineWarningCode = (typeof TIMELINE_WARNING_CODES)[number];

export interface TimelineWarning {
  code: TimelineWarningCode;
  message: string;
}
