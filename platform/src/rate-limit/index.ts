export * from './rate-limiter';
export * from './rate-limit-math';
export * from './memory-rate-limiter';
export * from './redis-rate-limiter';
export * from './rate-limit-metrics';
