export * from './config';
export * from './server';
export * from './seed';
export { createIdentityDataSource, IDENTITY_SCHEMA } from './data/data-source';
