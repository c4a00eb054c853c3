import { closeOnSignals, createLogger, listenServer, startTelemetry } from '@meridian/platform';
import { loadMobileBffConfig } from './config';
import { createMobileBffServer, MOBILE_BFF_NAME } from './server';

async function main(): Promise<void> {
  const config = loadMobileBffConfig();
  const stopTelemetry = startTelemetry(MOBILE_BFF_NAME, config.OTEL_EXPORTER_OTLP_ENDPOINT);
  const logger = createLogger({ service: MOBILE_BFF_NAME, level: config.LOG_LEVEL });
  const server = await createMobileBffServer(config, { logger });
  await listenServer(server, { host: config.HOST, port: config.MOBILE_BFF_PORT, metricsPort: config.MOBILE_BFF_METRICS_PORT });
  closeOnSignals(logger, [server.close, stopTelemetry]);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
