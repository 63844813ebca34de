export * from './systems.ts';
export * from './identifiers.ts';
export * from './imaging-order.ts';
export * from './imaging-study.ts';
export * from './imaging-report.ts';
export * from './tumour-size.ts';
