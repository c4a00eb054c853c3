import { loadIdentityConfig } from './config';
import { closeOnSignals, createLogger, openDatabase, startTelemetry } from '@meridian/platform';
import { createIdentityServer } from './server';

async function main(): Promise<void> {
  const config = loadIdentityConfig();
  const stopTelemetry = startTelemetry('identity', config.OTEL_EXPORTER_OTLP_ENDPOINT);
  const logger = createLogger({ service: 'identity', level: config.LOG_LEVEL });
  const database = await openDatabase(config);
  const server = await createIdentityServer(config, { databaseUrl: database.url, logger });
  await server.app.listen({ port: config.IDENTITY_PORT, host: config.HOST });
  closeOnSignals(logger, [server.close, database.stop, stopTelemetry]);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
