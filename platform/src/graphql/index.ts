export * from './subgraph-context';
export * from './mount-apollo';
export * from './date-time-scalar';
export * from './create-subgraph-server';
export * from './keyset-cursor';
export * from './scope-enforcement';
export * from './step-up';
export * from './use-fail-closed-mutations';
