import './tracing';
import { runMain } from '@meridian/platform';
import { loadInsightsConfig } from './config';
import { createInsightsServer } from './server';

runMain('insights', {
  config: loadInsightsConfig,
  database: true,
  ports: (config) => ({ port: config.INSIGHTS_PORT }),
  create: (config, { logger, databaseUrl }) => createInsightsServer(config, { databaseUrl, logger }),
});
