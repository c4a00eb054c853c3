export * from './key-set';
export * from './access-token';
export * from './service-token';
export * from './service-keys';
export * from './verified-tokens';
export * from './scope-directives';
export * from './session-revocations';
export * from './redis-session-revocations';
