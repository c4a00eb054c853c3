import './tracing';
import { runMain } from '@meridian/platform';
import { loadBankingConfig } from './config';
import { createBankingServer } from './server';

runMain('banking', {
  config: loadBankingConfig,
  database: true,
  ports: (config) => ({ port: config.BANKING_PORT }),
  create: (config, { logger, databaseUrl }) => createBankingServer(config, { databaseUrl, logger }),
});
