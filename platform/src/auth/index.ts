export * from './key-set';
export * from './access-token';
export * from './service-token';
export * from './service-keys';
export * from './verified-tokens';
