export * from './create-http-server';
export * from './metrics';
export * from './request-id';
export * from './shutdown';
export * from './use-service-access';
export * from './route-hooks';
export * from './run-main';
export * from './domain-error-handler';
