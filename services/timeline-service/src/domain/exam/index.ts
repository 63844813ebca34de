/**
 * What one exam is: its status, date, purpose, modality family and body region, and whether two
 * exams are comparable.
 */
export * from './body-region.ts';
export * from './comparability.ts';
export * from './exam-date.ts';
export * from './exam-status.ts';
export * from './modality.ts';
export * from './purpose.ts';
export * from './purpose-code-system.ts';
export * from './planning.ts';
