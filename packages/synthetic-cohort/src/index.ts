export * from './prng.ts';
export * from './catalogue.ts';
export * from './names.ts';
export * from './cohort.ts';
export * from './load-cohort.ts';
