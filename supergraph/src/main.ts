import { closeOnSignals, createLogger, startTelemetry } from '@meridian/platform';
import { loadGatewayConfig } from './config';
import { createGatewayServer } from './server';

async function main(): Promise<void> {
  const config = loadGatewayConfig();
  const stopTelemetry = startTelemetry('gateway', config.OTEL_EXPORTER_OTLP_ENDPOINT);
  const logger = createLogger({ service: 'gateway', level: config.LOG_LEVEL });
  const server = await createGatewayServer(config, { logger });
  await server.app.listen({ port: config.GATEWAY_PORT, host: config.HOST });
  closeOnSignals(logger, [server.close, stopTelemetry]);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
