export * from './topics.ts';
export * from './patient-key.ts';
export * from './errors.ts';
export * from './cloudevents.ts';
export * from './imaging-event.ts';
export * from './validate-r4.ts';
export * from './timeline-event.ts';
