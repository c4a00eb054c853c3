export * from './envelope';
export * from './data-keys';
export * from './canonical-json';
export * from './hash-chain';
