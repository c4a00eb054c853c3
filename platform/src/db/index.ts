export * from './embedded-postgres';
export * from './data-source';
export * from './open-database';
export * from './queryable';
