/** The baseline of each comparable track and treatment line, and the follow-ups measured against it. */
export * from './baseline.ts';
export * from './baseline-track.ts';
