export * from './prng.ts';
export * from './catalogue.ts';
export * from './cohort.ts';
export * from './load-cohort.ts';
