import './tracing';
import { runMain } from '@meridian/platform';
import { loadGatewayConfig } from './config';
import { createGatewayServer } from './server';

runMain('gateway', {
  config: loadGatewayConfig,
  ports: (config) => ({ port: config.GATEWAY_PORT }),
  create: (config, { logger }) => createGatewayServer(config, { logger }),
});
