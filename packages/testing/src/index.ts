export * from './personas/index.ts';
export * from './select-infrastructure.ts';
export * from './database-helpers.ts';
export * from './kafka-helpers.ts';
export * from './fixtures.ts';
export * from './topic-reader.ts';
export * from './eventually.ts';
export * from './test-auth.ts';
