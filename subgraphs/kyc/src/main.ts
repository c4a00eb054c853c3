import './tracing';
import { runMain } from '@meridian/platform';
import { loadKycConfig } from './config';
import { createKycServer } from './server';

runMain('kyc', {
  config: loadKycConfig,
  database: true,
  ports: (config) => ({ port: config.KYC_PORT }),
  create: (config, { logger, databaseUrl }) => createKycServer(config, { databaseUrl, logger }),
});
