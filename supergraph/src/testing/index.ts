export * from './capturing-logger';
export * from './fake-subgraph';
export * from './test-keys';
export * from './test-supergraph';
