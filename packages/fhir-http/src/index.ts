export * from './outcomes.ts';
export * from './error-edge.ts';
export * from './json-guard.ts';
export * from './fhir-body.ts';
export * from './fhir-request.ts';
export * from './fhir-responses.ts';
export * from './capability-statement.ts';
export * from './fhir-router.ts';
