export * from './timeline-consumer.ts';
export * from './summary-line.ts';
