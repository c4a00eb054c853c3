export * from './subgraph-context';
export * from './mount-apollo';
export * from './date-time-scalar';
export * from './create-subgraph-server';
export * from './keyset-cursor';
