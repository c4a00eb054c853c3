import { closeOnSignals, createLogger, listenServer, startTelemetry } from '@meridian/platform';
import { loadWebBffConfig } from './config';
import { createWebBffServer, WEB_BFF_NAME } from './server';

async function main(): Promise<void> {
  const config = loadWebBffConfig();
  const stopTelemetry = startTelemetry(WEB_BFF_NAME, config.OTEL_EXPORTER_OTLP_ENDPOINT);
  const logger = createLogger({ service: WEB_BFF_NAME, level: config.LOG_LEVEL });
  const server = await createWebBffServer(config, { logger });
  await listenServer(server, { host: config.HOST, port: config.WEB_BFF_PORT, metricsPort: config.WEB_BFF_METRICS_PORT });
  closeOnSignals(logger, [server.close, stopTelemetry]);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
