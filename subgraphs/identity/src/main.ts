import './tracing';
import { runMain } from '@meridian/platform';
import { loadIdentityConfig } from './config';
import { createIdentityServer } from './server';

runMain('identity', {
  config: loadIdentityConfig,
  database: true,
  ports: (config) => ({ port: config.IDENTITY_PORT }),
  create: (config, { logger, databaseUrl }) => createIdentityServer(config, { databaseUrl, logger }),
});
