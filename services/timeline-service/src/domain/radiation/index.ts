/** Radiation exposure on the timeline: which exams are ionizing, how many, and the dose recorded. */
export * from './ionizing.ts';
export * from './radiation-dose.ts';
export * from './radiation-summary.ts';
export * from './radiation.types.ts';
