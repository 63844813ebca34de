export * from './logger.ts';
export * from './metrics.ts';
export * from './http-telemetry.ts';
export * from './start-telemetry.ts';
