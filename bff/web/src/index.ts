export * from './config';
export * from './server';
export { buildGraphiqlBundle, type GraphiqlBundle, type GraphiqlBundleOptions } from './graphiql/build-graphiql-bundle';
export { useGraphiql, graphiqlCacheDir, GRAPHIQL_ASSET_PREFIX, type GraphiqlOptions } from './graphiql/use-graphiql';
export { useWebApp, webAppContentSecurityPolicy, CSP_NONCE_PLACEHOLDER, WEB_APP_ASSET_PREFIX, type WebAppOptions } from './web-app/use-web-app';
