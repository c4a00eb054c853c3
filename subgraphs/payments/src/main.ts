import './tracing';
import { runMain } from '@meridian/platform';
import { loadPaymentsConfig } from './config';
import { createPaymentsServer } from './server';

runMain('payments', {
  config: loadPaymentsConfig,
  database: true,
  ports: (config) => ({ port: config.PAYMENTS_PORT }),
  create: (config, { logger, databaseUrl }) => createPaymentsServer(config, { databaseUrl, logger }),
});
