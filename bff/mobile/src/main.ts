import { closeOnSignals, createLogger, startTelemetry } from '@meridian/platform';
import { loadMobileBffConfig } from './config';
import { createMobileBffServer, MOBILE_BFF_NAME } from './server';

async function main(): Promise<void> {
  const config = loadMobileBffConfig();
  const stopTelemetry = startTelemetry(MOBILE_BFF_NAME, config.OTEL_EXPORTER_OTLP_ENDPOINT);
  const logger = createLogger({ service: MOBILE_BFF_NAME, level: config.LOG_LEVEL });
  const server = await createMobileBffServer(config, { logger });
  await server.app.listen({ port: config.MOBILE_BFF_PORT, host: config.HOST });
  closeOnSignals(logger, [server.close, stopTelemetry]);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
