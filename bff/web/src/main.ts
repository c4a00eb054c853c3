import './tracing';
import { bffWorkers } from '@meridian/bff-core';
import { runMain } from '@meridian/platform';
import { loadWebBffConfig } from './config';
import { createWebBffServer, WEB_BFF_NAME } from './server';

runMain(WEB_BFF_NAME, {
  config: loadWebBffConfig,
  workers: bffWorkers,
  ports: (config) => ({ port: config.WEB_BFF_PORT, metricsPort: config.WEB_BFF_METRICS_PORT }),
  create: (config, { logger }) => createWebBffServer(config, { logger }),
});
