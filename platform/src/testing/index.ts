export * from './test-database';
export * from './test-key-value-store';
export * from './test-service-keys';
export * from './route-protection';
export * from './inject-fetch';
export * from './spawned-server';
export * from './metric-value';
export * from './test-telemetry';
