import './tracing';
import { bffWorkers } from '@meridian/bff-core';
import { runMain } from '@meridian/platform';
import { loadMobileBffConfig } from './config';
import { createMobileBffServer, MOBILE_BFF_NAME } from './server';

runMain(MOBILE_BFF_NAME, {
  config: loadMobileBffConfig,
  workers: bffWorkers,
  ports: (config) => ({ port: config.MOBILE_BFF_PORT, metricsPort: config.MOBILE_BFF_METRICS_PORT }),
  create: (config, { logger }) => createMobileBffServer(config, { logger }),
});
