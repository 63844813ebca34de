export * from './config.ts';
export * from './shutdown.ts';
export * from './http-shell.ts';
export * from './admission-control.ts';
export * from './security-headers.ts';
export * from './audit/index.ts';
export * from './rate-limit.ts';
export * from './access.ts';
