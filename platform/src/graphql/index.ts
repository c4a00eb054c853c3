export * from './subgraph-context';
export * from './service-token-guard';
export * from './mount-apollo';
export * from './date-time-scalar';
