export * from './periodic-worker';
