export * from './test-database';
export * from './test-key-value-store';
