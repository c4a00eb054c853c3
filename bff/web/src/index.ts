export * from './config';
export * from './server';
export { buildGraphiqlBundle, type GraphiqlBundle, type GraphiqlBundleOptions } from './graphiql/build-graphiql-bundle';
export { useGraphiql, graphiqlCacheDir, GRAPHIQL_ASSET_PREFIX, type GraphiqlOptions } from './graphiql/use-graphiql';
