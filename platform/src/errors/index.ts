export * from './error-code';
export * from './domain-error';
export * from './postgres-errors';
export * from './format-error';
export * from './error-body';
export * from './service-call-error';
