export * from './errors.ts';
export * from './token-verifier.ts';
export * from './scopes.ts';
export * from './access.ts';
export * from './middleware.ts';
export * from './smart-configuration.ts';
export * from './backend-services-client.ts';
export * from './service-access.ts';
