export * from './envelope';
export * from './data-keys';
