export * from './audit-recorder.ts';
export * from './audit-request.ts';
export * from './audit-trail.ts';
